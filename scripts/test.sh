#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, builds, runs ctest,
# then the sanitizer and fuzzing stages.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [ -x scripts/fetch-mtcnn-weights.sh ]; then scripts/fetch-mtcnn-weights.sh; fi
scripts/fetch-face-init.sh  # face_resnet29's initialisation and the package its parity test runs
scripts/fetch-browser-test-tools.sh  # playwright-core, for the demo page's browser test
scripts/fetch-onnxruntime.sh  # ONNX Runtime for node: the ONNX export's parity test runs it
scripts/build.sh
(cd build && ctest --output-on-failure -j"${FACEAGE_TEST_JOBS:-2}" --timeout 1500 "$@")
# Reliability (docs/reliability.md): the input-reading tests under ASan + UBSan, then
# every fuzz target for a bounded time.
scripts/test-sanitize.sh
scripts/fuzz.sh "${FACEAGE_FUZZ_SECONDS:-45}"
