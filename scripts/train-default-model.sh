#!/usr/bin/env bash
# Trains (or resumes) the bundled default model in the background-friendly way:
# low priority, log appended to runs/default-model/train.log. Rerun to resume.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p runs/default-model
exec nice -n 10 "${FACEAGE_BIN:-build/bin/faceage}" train --config configs/utkface/default-model.toml \
  --set data.path="${FACEAGE_DATA_DIR:-../shared/data}/utkface" "$@" \
  >>runs/default-model/train.log 2>&1
