#!/usr/bin/env bash
# Fetches sample photos with a clear licence for the quick start into samples/ (ignored):
#   astronaut.png - Eileen Collins, NASA portrait, public domain (as scikit-image's
#                   skimage.data.astronaut documents), from Debian's python3-skimage package.
# Downloads the .deb with `apt-get download` (nothing is installed), checks the photo's
# sha256 and copies it out. Idempotent: nothing is downloaded when the photo is there.
#
#   scripts/fetch-sample-photos.sh [FOLDER]      default FOLDER: samples/
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
folder="${1:-$root/samples}"
expected=88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5
say() { echo "fetch-sample-photos: $*" >&2; }

if [ -f "$folder/astronaut.png" ] && echo "$expected  $folder/astronaut.png" | sha256sum -c --status; then
  say "already there: $folder/astronaut.png"
  exit 0
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/faceage-samples.XXXXXX")"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get -o APT::Sandbox::User=root download python3-skimage >/dev/null) ||
  { say "error: 'apt-get download python3-skimage' failed (is Debian's package index reachable?)"; exit 1; }
dpkg-deb -x "$work"/python3-skimage_*.deb "$work/x"
photo="$(find "$work/x" -path '*skimage/data/astronaut.png' | head -1)"
[ -n "$photo" ] || { say "error: astronaut.png is not in the python3-skimage package"; exit 1; }
echo "$expected  $photo" | sha256sum -c --status ||
  { say "error: astronaut.png has an unexpected sha256"; exit 1; }
mkdir -p "$folder"
cp "$photo" "$folder/astronaut.png"
cat >"$folder/LICENCE.txt" <<'TEXT'
astronaut.png: Eileen Collins, American astronaut; from the NASA Great Images database
(https://flic.kr/p/r9qvLn). No known copyright restrictions, released into the public
domain. Taken from Debian's python3-skimage package (skimage/data/astronaut.png).
TEXT
say "done: $folder/astronaut.png"
