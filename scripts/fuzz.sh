#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with Debian's clang in build-fuzz/ and runs each for
# a bounded time, starting from its seed corpus fuzz/corpus/<target>/ plus what earlier runs
# found (build-fuzz/corpus/<target>/). A crash, a sanitizer report (ASan, UBSan) or an
# uncaught exception fails the script; the input is kept in build-fuzz/crashes/<target>/.
# Usage: scripts/fuzz.sh [seconds per target, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
targets=(fuzz_image_decode fuzz_labels_csv fuzz_safetensors fuzz_train_config)

start=$(date +%s)
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DFACEAGE_FUZZ=ON -DFACEAGE_BUILD_TESTS=OFF \
  -DFACEAGE_BUILD_BENCH=OFF -DFACEAGE_USE_PCH=OFF >/dev/null
cmake --build build-fuzz --target "${targets[@]}" -- -j"${FACEAGE_BUILD_JOBS:-$(nproc)}"
echo "fuzz: built in $(( $(date +%s) - start )) s"

# LibTorch (fuzz_safetensors) keeps allocations until exit: leaks are not bugs here.
export ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
status=0
for target in "${targets[@]}"; do
  found="build-fuzz/corpus/$target" crashes="build-fuzz/crashes/$target"
  log="build-fuzz/$target.log"
  mkdir -p "$found" "$crashes"
  if "build-fuzz/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$crashes/" "$found" "fuzz/corpus/$target" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz: $target: ${runs:-?} executions in $seconds s, corpus $(ls "$found" | wc -l) new inputs"
  else
    echo "fuzz: $target FAILED; the input is in $crashes/, the report:"
    grep -v -e '^#[0-9]' -e '^INFO' "$log" | tail -40
    status=1
  fi
done
exit $status
