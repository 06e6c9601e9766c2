#!/usr/bin/env bash
# Installs what the demo page's browser test (tests/serve/demo_page_browser_test.mjs)
# drives Debian's chromium with: npm's playwright-core at a pinned version, into an
# ignored folder of the checkout. Its install scripts are skipped, so playwright's own
# browser download never runs (the test uses /usr/bin/chromium, from
# scripts/install-deps.sh). Idempotent and quick when that version is there already.
#
#   scripts/fetch-browser-test-tools.sh [PREFIX]   default PREFIX: third_party/downloads/browser-test-tools
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/npm-install-pinned.sh" playwright-core 1.65.2 \
  "${1:-$root/third_party/downloads/browser-test-tools}"
