#!/usr/bin/env bash
# Installs ONNX Runtime for Node (npm onnxruntime-node, pinned, MIT) into
# third_party/downloads/onnxruntime/, where the ONNX export's parity test
# (tests/onnx/onnx_parity_test.cpp, through tests/onnx/run_onnx_model.mjs) runs exported models.
#
# The package's install script is skipped (--ignore-scripts): it would download the CUDA
# and TensorRT libraries; the CPU library it needs ships inside the package itself.
# Idempotent: when the pinned version is already there and loads, nothing is downloaded.
# Needs: node and npm (scripts/install-deps.sh installs npm when there is none).
#
#   scripts/fetch-onnxruntime.sh [PREFIX]      default PREFIX: third_party/downloads/onnxruntime
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${1:-$root/third_party/downloads/onnxruntime}"
version="1.23.2"

say() { echo "fetch-onnxruntime: $*" >&2; }
die() { say "error: $*"; exit 1; }

for tool in node npm; do
  command -v "$tool" >/dev/null || die "'$tool' is not installed (see scripts/install-deps.sh)"
done

# Loads the package and prints its version: the check that the install is whole.
installed_version() {
  [ -d "$prefix" ] || return 1
  (cd "$prefix" && node -e "
    const ort = require('onnxruntime-node');
    if (typeof ort.InferenceSession?.create !== 'function') process.exit(1);
    console.log(require('onnxruntime-node/package.json').version);" 2>/dev/null)
}

if [ "$(installed_version || true)" = "$version" ]; then
  say "onnxruntime-node $version is already in $prefix; nothing to do"
  exit 0
fi

say "installing onnxruntime-node@$version into $prefix (npm, install scripts skipped)"
mkdir -p "$prefix"
npm install --silent --ignore-scripts --no-save --no-audit --no-fund --prefix "$prefix" \
  "onnxruntime-node@$version" || die "npm install onnxruntime-node@$version failed"
[ "$(installed_version || true)" = "$version" ] \
  || die "onnxruntime-node@$version was installed into $prefix but does not load in node"
say "done: onnxruntime-node $version in $prefix"
