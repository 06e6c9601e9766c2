#!/usr/bin/env bash
# Exports the trained default model (fp16, card, UTKFace face frame) and measures what
# docs/model-card.md reports: MAE and CA(n) on the validation split (and the untouched
# test split), fp16 against fp32, FairFace and UTKFace-validation detection rate and
# age-range accuracy through `faceage predict`, and end-to-end predict speed.
# Results go to runs/default-model/measure/.
#
#   scripts/evaluate-default-model.sh [CHECKPOINT]   default: runs/default-model/best.safetensors
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${FACEAGE_BIN:-build/bin/faceage}"
data="${FACEAGE_DATA_DIR:-../shared/data}"
run=runs/default-model
checkpoint="${1:-$run/best.safetensors}"
model=models/default-age-model.safetensors
out=$run/measure
mkdir -p "$out" models

"$bin" export --model "$checkpoint" --out "$model" --half \
  --card configs/utkface/default-model-card.json --frame-from "$data/utkface" --frame-samples 1000
for split in validation test; do
  "$bin" eval --model "$model" --data "$run/$split.csv" --out "$out/eval-$split" --json >"$out/eval-$split.json"
done
"$bin" eval --model "$checkpoint" --data "$run/validation.csv" --json >"$out/eval-validation-fp32.json"

"$bin" predict "$data/fairface" --model "$model" -o "$out/fairface.jsonl" --annotate "$out/fairface-annotated" \
  2>"$out/fairface.log" || true
scripts/range-accuracy.py "$out/fairface.jsonl" --fairface "$data/fairface/labels.json" | tee "$out/fairface.txt"
tail -n +2 "$run/validation.csv" | cut -d, -f1 >"$out/validation-photos.txt"
xargs -a "$out/validation-photos.txt" "$bin" predict --model "$model" -o "$out/utkface-validation.jsonl" \
  2>"$out/utkface-validation.log" || true
scripts/range-accuracy.py "$out/utkface-validation.jsonl" --csv "$run/validation.csv" | tee "$out/utkface-validation.txt"
xargs -a "$out/validation-photos.txt" "$bin" predict --cropped --model "$model" \
  -o "$out/utkface-validation-cropped.jsonl" 2>"$out/utkface-validation-cropped.log" || true
scripts/range-accuracy.py "$out/utkface-validation-cropped.jsonl" --csv "$run/validation.csv" \
  | tee "$out/utkface-validation-cropped.txt"
tail -n 1 "$out"/*.log
