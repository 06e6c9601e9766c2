#!/usr/bin/env bash
# What the UTKFace + All-Age-Faces configurations read, made once: the face-api.js
# initialisation (scripts/fetch-face-init.sh) and All-Age-Faces aligned by `faceage align`
# into runs/aaf/rows.csv (about 6-10 minutes on 2 cores; skipped when runs/aaf/rows.done
# is there). Used by train-default-model.sh and run-paper-experiments.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${FACEAGE_BIN:-build/bin/faceage}"
data="${FACEAGE_DATA_DIR:-../shared/data}"

scripts/fetch-face-init.sh
mkdir -p runs/aaf
if [[ ! -e runs/aaf/rows.done ]]; then
  "$bin" align "$data/allagefaces/labels.csv" --out runs/aaf/rows.csv --jobs 2 --quiet --json \
    >runs/aaf/align.json
  touch runs/aaf/rows.done
fi
