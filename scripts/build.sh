#!/usr/bin/env bash
# Configures and builds faceage (Release, Ninja) in build/. Extra arguments go to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release "$@" >/dev/null
# Two jobs fit this project's 2-core, 24 GiB machines; LibTorch TUs need ~1.5 GiB each.
cmake --build --preset release -- -j"${FACEAGE_BUILD_JOBS:-$(nproc)}"
