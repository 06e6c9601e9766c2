#!/usr/bin/env bash
# The main job, from a fresh clone: install, build, then estimate the age of every face in
# the sample photos with the bundled default model. Writes out/quickstart/predictions.jsonl
# (one JSON line per photo) and out/quickstart/annotated/ (the photos with boxes and ages).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/fetch-mtcnn-weights.sh
scripts/fetch-sample-photos.sh
scripts/build.sh

out=out/quickstart
photos=(samples/astronaut.png)
# A few in-the-wild FairFace photos (CC BY 4.0) when the shared data is beside the clone.
fairface="${FACEAGE_DATA_DIR:-../shared/data}/fairface"
if [ -d "$fairface" ]; then
  photos+=("$fairface/fairface_0001.jpg" "$fairface/fairface_0003.jpg" "$fairface/fairface_0005.jpg")
fi
mkdir -p "$out"
echo "== faceage predict ${photos[*]} =="
build/bin/faceage predict "${photos[@]}" --output "$out/predictions.jsonl" --annotate "$out/annotated"
echo "== outputs: $out/predictions.jsonl, $out/annotated/ =="
head -c 600 "$out/predictions.jsonl"; echo
