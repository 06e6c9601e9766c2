#!/usr/bin/env bash
# Trains (or resumes) the bundled default model in the background-friendly way: low
# priority, logs appended to runs/<stage>/train.log. Rerun to resume; a finished stage
# is skipped by the trainer itself (it resumes after its last epoch).
#   stage 1: configs/utkface/default-model.toml          -> runs/default-model
#   stage 2: configs/utkface/default-model-finetune.toml -> runs/default-model-finetune
#   v2:      the fp16 mean of both stages' best and last   -> runs/default-model-v2.safetensors
#   stage 3: configs/utkface/default-model-v3-finetune.toml -> runs/default-model-v3-finetune
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${FACEAGE_BIN:-build/bin/faceage}"
data="${FACEAGE_DATA_DIR:-../shared/data}"
train_stage() {
  mkdir -p "runs/$1"
  nice -n 10 "$bin" train --config "configs/utkface/$1.toml" \
    --set data.path="$data/utkface" "${@:2}" >>"runs/$1/train.log" 2>&1
}
train_stage default-model "$@"
train_stage default-model-finetune "$@"
if [[ ! -f runs/default-model-v2.safetensors ]]; then
  "$bin" export --model runs/default-model/best.safetensors \
    --average-with runs/default-model/last.safetensors runs/default-model-finetune/best.safetensors \
    runs/default-model-finetune/last.safetensors --flip-average true --half \
    --out runs/default-model-v2.safetensors
fi
train_stage default-model-v3-finetune "$@"
