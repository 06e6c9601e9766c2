#!/usr/bin/env bash
# Fetches the face-pretrained initialisation of the face_resnet29 backbone: face-api.js's
# face-recognition network (dlib's ResNet-29; npm @vladmandic/face-api@1.7.15, MIT), checks
# the sha256 of its weights and converts them into models/init/face-resnet29.safetensors,
# the file `model.pretrained` names in configs/utkface-aaf/face-resnet29-*.toml.
# The package's model/ and dist/face-api.esm.js stay in models/cache/face-api-1.7.15/:
# the parity test runs the package's own network on them (tests/nn/reference_face_recognition.py).
#
# Idempotent: when the output and the cached package exist and are valid, nothing is downloaded.
# Needs: npm (only `npm pack`: nothing is installed), tar, sha256sum, a C++17 compiler and
# nlohmann-json's header (scripts/install-deps.sh installs the last two).
#
#   scripts/fetch-face-init.sh [OUTPUT]      default OUTPUT: models/init/face-resnet29.safetensors
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
output="${1:-$root/models/init/face-resnet29.safetensors}"
package="@vladmandic/face-api@1.7.15"
cache="$root/models/cache/face-api-1.7.15"
declare -A expected=(
  [model/face_recognition_model.bin]=b413e420d6840b2775fba32008db6f3cddb07d485967fb42cfcf379c16a8c589
  [model/face_recognition_model-weights_manifest.json]=cbaffa501b0b9275a12b63357a6843e7e30c054e1c9151e1a5f879b26e32986b
  [dist/face-api.esm.js]=14f0e9813f6d9f14a9cdafb6543a74835ebb13085090e2942310a7a737f55d9a
)

say() { echo "fetch-face-init: $*" >&2; }
die() { say "error: $*"; exit 1; }

for tool in npm tar sha256sum "${CXX:-c++}"; do
  command -v "$tool" >/dev/null || die "'$tool' is not installed (see scripts/install-deps.sh)"
done

work="$(mktemp -d "${TMPDIR:-/tmp}/faceage-face-init.XXXXXX")"
trap 'rm -rf "$work"' EXIT

converter="$work/face_api_recognition_convert"
"${CXX:-c++}" -std=c++17 -O1 -o "$converter" "$root/apps/tools/face_api_recognition_convert.cpp" \
  || die "could not compile apps/tools/face_api_recognition_convert.cpp"

verified() {  # every expected file in $1 with its sha256
  for file in "${!expected[@]}"; do
    [ -f "$1/$file" ] || return 1
    [ "$(sha256sum "$1/$file" | cut -d' ' -f1)" = "${expected[$file]}" ] || return 1
  done
}

if [ -f "$output" ] && "$converter" --check "$output" >/dev/null 2>&1 && verified "$cache"; then
  say "$output and $cache are already there and valid; nothing to do"
  exit 0
fi

if ! verified "$cache"; then
  say "downloading $package (npm pack; nothing is installed)"
  (cd "$work" && npm pack --silent "$package" >/dev/null) || die "npm pack $package failed"
  members=()
  for file in "${!expected[@]}"; do members+=("package/$file"); done
  tar -xzf "$work"/vladmandic-face-api-*.tgz -C "$work" "${members[@]}" \
    || die "the package lacks one of: ${!expected[*]}"
  for file in "${!expected[@]}"; do
    actual="$(sha256sum "$work/package/$file" | cut -d' ' -f1)"
    [ "$actual" = "${expected[$file]}" ] \
      || die "$file has sha256 $actual, expected ${expected[$file]}; refusing to convert"
  done
  rm -rf "$cache" && mkdir -p "$(dirname "$cache")"
  mv "$work/package" "$cache"
  say "sha256 of the weights, manifest and face-api.esm.js verified"
fi

mkdir -p "$(dirname "$output")"
"$converter" --manifest "$cache/model/face_recognition_model-weights_manifest.json" \
  --weights-dir "$cache/model" --out "$output"
say "done: $output"
