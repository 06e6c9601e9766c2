#!/usr/bin/env bash
# Installs ONNX Runtime for Node (npm onnxruntime-node, pinned, MIT) into
# third_party/downloads/onnxruntime/, where the ONNX export's parity test
# (tests/onnx/onnx_parity_test.cpp, through tests/onnx/run_onnx_model.mjs) runs exported models.
#
# The package's install script is skipped: it would download the CUDA and TensorRT
# libraries; the CPU library it needs ships inside the package itself. Idempotent and
# quick when the pinned version is there already; then the package must load.
#
#   scripts/fetch-onnxruntime.sh [PREFIX]      default PREFIX: third_party/downloads/onnxruntime
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${1:-$root/third_party/downloads/onnxruntime}"
"$root/scripts/npm-install-pinned.sh" onnxruntime-node 1.23.2 "$prefix"
# The check that the install is whole: the package loads and has its session class.
(cd "$prefix" && node -e "
  const ort = require('onnxruntime-node');
  if (typeof ort.InferenceSession?.create !== 'function') process.exit(1);") \
  || { echo "fetch-onnxruntime: error: onnxruntime-node in $prefix does not load in node" >&2; exit 1; }
