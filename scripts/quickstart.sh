#!/usr/bin/env bash
# The main job, from a fresh clone: install, build, then train a small age estimator on
# UTKFace for a few minutes and evaluate it. Outputs go to runs/quickstart/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [ -x scripts/fetch-mtcnn-weights.sh ]; then scripts/fetch-mtcnn-weights.sh; fi
scripts/build.sh

data="${FACEAGE_DATA_DIR:-../shared/data}"
run=runs/quickstart
echo "== training (configs/utkface/smoke-resnet18-64.toml; rerun resumes) =="
build/bin/faceage train --config configs/utkface/smoke-resnet18-64.toml \
  --set data.path="$data/utkface" --output "$run"
echo "== evaluating the best checkpoint on the validation split =="
build/bin/faceage eval --model "$run/best.safetensors" --data "$run/validation.csv" \
  --out "$run/eval"
echo "== outputs: $run/{best,last}.safetensors, metrics.jsonl, curves.png, eval/ =="
