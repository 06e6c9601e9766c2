#!/usr/bin/env bash
# Exports the trained default model (fp16, card, UTKFace face frame) and measures what
# docs/model-card.md reports: MAE and CA(n) on the validation split (and the untouched
# test split), fp16 against fp32, FairFace and UTKFace-validation detection rate and
# age-range accuracy through `faceage predict`, and end-to-end predict speed.
# Results go to runs/default-model/measure/.
#
# The shipped weights (v3) are the mean of stage 3's best epoch and the v2 model it
# started from (scripts/train-default-model.sh), and the model averages each face with
# its mirror image.
#
#   scripts/evaluate-default-model.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${FACEAGE_BIN:-build/bin/faceage}"
data="${FACEAGE_DATA_DIR:-../shared/data}"
run=runs/default-model-v3-finetune
checkpoint=$run/best.safetensors
averaged_with=(runs/default-model-v2.safetensors)
model=models/default-age-model.safetensors
out=$run/measure
mkdir -p "$out" models

"$bin" export --model "$checkpoint" --average-with "${averaged_with[@]}" --flip-average true \
  --out "$model" --half \
  --card configs/utkface/default-model-card.json --frame-from "$data/utkface" --frame-samples 1000
for split in validation test; do
  "$bin" eval --model "$model" --data "$run/$split.csv" --out "$out/eval-$split" --json >"$out/eval-$split.json"
done
# The same model in fp32, and the parts it is made of (stage 3 alone, without flips).
"$bin" export --model "$checkpoint" --average-with "${averaged_with[@]}" --flip-average true \
  --out "$out/fp32.safetensors"
"$bin" eval --model "$out/fp32.safetensors" --data "$run/validation.csv" --json >"$out/eval-validation-fp32.json"
for flip in false true; do
  "$bin" eval --model "$checkpoint" --flip-average $flip --data "$run/validation.csv" --json \
    >"$out/eval-validation-stage3-flip-$flip.json"
done
"$bin" eval --model "$out/fp32.safetensors" --flip-average false --data "$run/validation.csv" --json \
  >"$out/eval-validation-averaged-flip-false.json"

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
