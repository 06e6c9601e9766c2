#!/usr/bin/env bash
# Runs the demo page's browser test (demo_page_browser_test.mjs) after checking its tools;
# a missing tool FAILS the test with one line naming the script that installs it (CI
# installs them all; a browser test skipped in silence would hide a broken page).
#
#   demo_page_browser_test.sh FACEAGE_CLI SOURCE_DIR DATA_DIR ARTIFACT_DIR
# Environment: FACEAGE_CHROMIUM (default /usr/bin/chromium), FACEAGE_BROWSER_TOOLS (the
# folder scripts/fetch-browser-test-tools.sh installs into), FACEAGE_REFERENCE_PYTHON.
set -euo pipefail

if [ $# -ne 4 ]; then
  echo "usage: $0 FACEAGE_CLI SOURCE_DIR DATA_DIR ARTIFACT_DIR" >&2
  exit 2
fi
cli="$1" source_dir="$2" data_dir="$3" artifacts="$4"
chromium="${FACEAGE_CHROMIUM:-/usr/bin/chromium}"
tools="${FACEAGE_BROWSER_TOOLS:-$source_dir/third_party/downloads/browser-test-tools}"
python="${FACEAGE_REFERENCE_PYTHON:-/usr/bin/python3}"
webcam_photo="$data_dir/fairface/fairface_0003.jpg"

missing() { echo "demo page browser test: $1 is missing: run $2" >&2; exit 1; }
command -v node >/dev/null || missing "node" "scripts/install-deps.sh"
[ -x "$chromium" ] || missing "chromium ($chromium)" "scripts/install-deps.sh"
[ -f "$tools/node_modules/playwright-core/package.json" ] \
  || missing "playwright-core ($tools)" "scripts/fetch-browser-test-tools.sh"
"$python" -c 'import numpy, PIL' 2>/dev/null || missing "$python with numpy and PIL" "scripts/install-deps.sh"
[ -x "$cli" ] || missing "the faceage command ($cli)" "cmake --build build --target faceage_cli"
[ -f "$source_dir/models/mtcnn.safetensors" ] || missing "models/mtcnn.safetensors" "scripts/fetch-mtcnn-weights.sh"
[ -f "$webcam_photo" ] || missing "$webcam_photo" "the data set download of docs/datasets.md"

mkdir -p "$artifacts"
# The fake webcam's video, made from a shared photo at test time (never committed).
"$python" "$source_dir/tests/serve/make_fake_webcam_video.py" "$webcam_photo" "$artifacts/fake-webcam.y4m"

exec node "$source_dir/tests/serve/demo_page_browser_test.mjs" \
  --cli "$cli" --source "$source_dir" --data "$data_dir" --artifacts "$artifacts" \
  --chromium "$chromium" --tools "$tools" --webcam-video "$artifacts/fake-webcam.y4m"
