#!/usr/bin/env bash
# Exports the trained default model (fp16, flip averaging, card) from the run of
# scripts/train-default-model.sh and measures what docs/model-card.md reports, into
# $run/measure/:
#   eval-{validation,test}.json        `faceage eval` on each dataset's validation / test part
#                                      (aligned rows: the crops prediction cuts), per set
#   calibrate.json                     `faceage calibrate`: validation MAE in float32, int8 and
#                                      bfloat16 and which were validated (kept in the model)
#   eval-validation-fp32.json          the same weights in fp32
#   eval-validation-flip-false.json    without flip averaging
#   fairface.txt                       FairFace photos through `faceage predict`: detection
#                                      and age-range accuracy
#   aaf-validation.txt                 All-Age-Faces validation photos through `faceage predict`
#   baseline-*.json / .txt             the same figures for the model this one replaced
#                                      (ResNet-18, from scratch, UTKFace only; commit 0272d68)
# Then scripts/model-card-tables.py prints the card's tables.
#
#   scripts/evaluate-default-model.sh [--no-export]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${FACEAGE_BIN:-build/bin/faceage}"
data="${FACEAGE_DATA_DIR:-../shared/data}"
config=configs/utkface-aaf/face-resnet29-150-stage2.toml
run=runs/utkface-aaf/face-resnet29-150-stage2  # stage 2's best epoch is the shipped weights
model=models/default-age-model.safetensors
out=$run/measure
mkdir -p "$out"

if [[ "${1:-}" != "--no-export" ]]; then
  "$bin" export --model "$run/best.safetensors" --flip-average true --out "$model" --half \
    --card configs/utkface-aaf/default-model-card.json
  # int8 calibration and the reduced precisions' check (issue 20), recorded in the model.
  "$bin" calibrate --model "$model" --config "$config" -o "$model" | tee "$out/calibrate.json"
fi
"$bin" export --model "$run/best.safetensors" --flip-average true --out "$out/fp32.safetensors"

evaluate() {  # model, prefix
  for part in validation test; do
    "$bin" eval --model "$1" --config "$config" --part $part --json >"$out/$2eval-$part.json"
  done
  "$bin" predict "$data/fairface" --model "$1" -o "$out/$2fairface.jsonl" 2>"$out/$2fairface.log" || true
  scripts/range-accuracy.py "$out/$2fairface.jsonl" --fairface "$data/fairface/labels.json" >"$out/$2fairface.txt"
  grep allagefaces "$run/validation.csv" | cut -d, -f1 >"$out/aaf-validation-photos.txt"
  grep allagefaces "$run/validation.csv" | (echo "photo,age"; cut -d, -f1,2) >"$out/aaf-validation.csv"
  xargs -a "$out/aaf-validation-photos.txt" "$bin" predict --model "$1" -o "$out/$2aaf-validation.jsonl" \
    2>"$out/$2aaf-validation.log" || true
  scripts/range-accuracy.py "$out/$2aaf-validation.jsonl" --csv "$out/aaf-validation.csv" >"$out/$2aaf-validation.txt"
}
evaluate "$model" ""
"$bin" eval --model "$out/fp32.safetensors" --config "$config" --part validation --json \
  >"$out/eval-validation-fp32.json"
"$bin" eval --model "$model" --flip-average false --config "$config" --part validation --json \
  >"$out/eval-validation-flip-false.json"

baseline="$out/baseline.safetensors"
[[ -s "$baseline" ]] || git show "0272d68:$model" >"$baseline"
evaluate "$baseline" "baseline-"
tail -n 3 "$out"/fairface.txt "$out"/aaf-validation.txt "$out"/baseline-fairface.txt "$out"/baseline-aaf-validation.txt
