#!/usr/bin/env bash
# Which UTKFace serves photos in the wild better: its own crops (used whole, the frame
# measured afterwards for prediction) or its photos aligned by faceage's own pipeline
# (MTCNN, eye alignment, margin: the same crop prediction makes)? Trains one small model
# of each (ResNet-18, 64 px, LDL, augmentation, 3 epochs by default, seeded) and measures both on
# photos none of them saw: All-Age-Faces (aligned rows, MAE by `faceage eval`) and the
# FairFace photos (age ranges through `faceage predict`). Resumable: finished steps are
# skipped, an interrupted training resumes from its checkpoint. Run folders: runs/framing/.
#
#   scripts/compare-utkface-crops-aligned.sh [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-3}"
faceage="${FACEAGE_BIN:-build/bin/faceage}"
data=../shared/data
out=runs/framing
mkdir -p "$out"

# 1. Align once: UTKFace (tight crops: padding finds the face) and All-Age-Faces.
[ -s "$out/utkface-rows.csv" ] && [ -e "$out/utkface-rows.done" ] || {
  "$faceage" align "$data/utkface" --out "$out/utkface-rows.csv" --jobs 2 --quiet --json \
    > "$out/utkface-align.json" && touch "$out/utkface-rows.done"; }
[ -s "$out/aaf-rows.csv" ] && [ -e "$out/aaf-rows.done" ] || {
  "$faceage" align "$data/allagefaces" --out "$out/aaf-rows.csv" --jobs 2 --quiet --json \
    > "$out/aaf-align.json" && touch "$out/aaf-rows.done"; }

common=(--set model.architecture=resnet18 --set model.input_size=64 --set model.multitask=false
        --set augment.enabled=true --set train.epochs="$epochs" --set train.batch_size=64
        --set train.seed=1 --set data.validation_fraction=0.1 --set data.test_fraction=0.1
        --set optim.learning_rate=0.002 --set optim.schedule=cosine)

# 2. Train: crops (whole images) and aligned (margin 0.2, about the crops' own framing).
train() {  # name, extra settings...
  local name="$1"; shift
  [ -e "$out/$name/model.safetensors" ] && return 0
  "$faceage" train --config configs/utkface/resnet18-112-ldl.toml "${common[@]}" "$@" \
    --set train.output_dir="$out/$name" > "$out/$name.log" 2>&1
}
train crops --set data.format=utkface --set data.path="$data/utkface" --set data.align=false
train aligned --set data.format=csv --set data.path="$out/utkface-rows.csv" \
  --set data.align=true --set data.margin=0.2

# 3. Model files: the crops model gets the frame its crops have around a detected face.
[ -e "$out/crops/model.safetensors" ] || "$faceage" export --model "$out/crops/best.safetensors" \
  --out "$out/crops/model.safetensors" --frame-from "$data/utkface" --frame-samples 1000
[ -e "$out/aligned/model.safetensors" ] || "$faceage" export \
  --model "$out/aligned/best.safetensors" --out "$out/aligned/model.safetensors"

# 4. Measure on photos in the wild.
for name in crops aligned; do
  model="$out/$name/model.safetensors"
  [ -s "$out/$name-aaf.json" ] || "$faceage" eval --model "$model" --data "$out/aaf-rows.csv" \
    --json > "$out/$name-aaf.json"
  [ -s "$out/$name-fairface.jsonl" ] || "$faceage" predict --model "$model" "$data/fairface" \
    -o "$out/$name-fairface.jsonl" 2> /dev/null
  echo "== $name"
  /usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('All-Age-Faces (aligned rows): MAE', r.get('mae'), ' CA5', r.get('ca5'))" "$out/$name-aaf.json"
  /usr/bin/python3 scripts/range-accuracy.py "$out/$name-fairface.jsonl" --fairface "$data/fairface/labels.json"
  grep -h "validation" "$out/$name/metrics.jsonl" | tail -1 | cut -c1-300
done
