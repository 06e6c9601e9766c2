#!/usr/bin/env bash
# The tests of the code that reads outside input (images, label files, safetensors,
# configurations) built and run under AddressSanitizer + UndefinedBehaviorSanitizer, in
# build-sanitize/ (the `sanitize` preset). They form one executable, faceage_input_tests
# (tests/input_tests.cmake), that compiles just that code: a sanitized build of every
# LibTorch-heavy stage would take far longer than CI allows. Extra arguments go to it
# (e.g. --gtest_filter=ImageCorpus.*).
set -euo pipefail
cd "$(dirname "$0")/.."

start=$(date +%s)
cmake --preset sanitize -DFACEAGE_BUILD_APPS=OFF >/dev/null
cmake --build --preset sanitize --target faceage_input_tests -- -j"${FACEAGE_BUILD_JOBS:-$(nproc)}"
built=$(date +%s)

# LibTorch keeps allocations until exit (not ours to fix): leak detection is off.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
build-sanitize/tests/faceage_input_tests --gtest_brief=1 "$@"
echo "test-sanitize: built in $((built - start)) s, tests ran in $(( $(date +%s) - built )) s"
