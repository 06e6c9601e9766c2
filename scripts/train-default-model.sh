#!/usr/bin/env bash
# Trains (or resumes) the bundled default model in the background-friendly way: low
# priority, logs appended to runs/<stage>/train.log. Rerun to resume; a finished stage
# is skipped by the trainer itself (it resumes after its last epoch).
#   stage 1: configs/utkface/default-model.toml          -> runs/default-model
#   stage 2: configs/utkface/default-model-finetune.toml -> runs/default-model-finetune
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${FACEAGE_BIN:-build/bin/faceage}"
data="${FACEAGE_DATA_DIR:-../shared/data}"
for stage in default-model default-model-finetune; do
  mkdir -p "runs/$stage"
  nice -n 10 "$bin" train --config "configs/utkface/$stage.toml" \
    --set data.path="$data/utkface" "$@" >>"runs/$stage/train.log" 2>&1
done
