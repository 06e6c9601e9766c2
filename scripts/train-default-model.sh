#!/usr/bin/env bash
# Trains (or resumes) the bundled default model: face_resnet29, initialised from face-api.js's
# face-recognition network, fine-tuned on UTKFace crops + All-Age-Faces photos aligned by
# faceage (configs/utkface-aaf/face-resnet29-150.toml; docs/model-card.md). Each step is
# skipped when its output is there; rerun to resume training from its last checkpoint.
#   1. models/init/face-resnet29.safetensors  (scripts/fetch-face-init.sh)
#   2. runs/aaf/rows.csv                       (faceage align on All-Age-Faces, ~5-10 min)
#   3. stage 1: runs/utkface-aaf/face-resnet29-150/         (8 epochs, ~40-60 min on 2 cores)
#   4. stage 2: runs/utkface-aaf/face-resnet29-150-stage2/  (6 epochs from stage 1's best, ~35 min)
# Then scripts/evaluate-default-model.sh exports and measures the model.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${FACEAGE_BIN:-build/bin/faceage}"

scripts/prepare-utkface-aaf.sh  # steps 1 and 2
# The configurations read ../shared/data/utkface and runs/aaf/rows.csv (paths from the root).
train_stage() {  # config name, run folder
  mkdir -p "$2"
  nice -n 10 "$bin" train --config "configs/utkface-aaf/$1.toml" "${@:3}" >>"$2/train.log" 2>&1
}
train_stage face-resnet29-150 runs/utkface-aaf/face-resnet29-150 "$@"
train_stage face-resnet29-150-stage2 runs/utkface-aaf/face-resnet29-150-stage2 "$@"
