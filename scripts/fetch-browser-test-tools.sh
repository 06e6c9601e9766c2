#!/usr/bin/env bash
# Installs what the demo page's browser test (tests/serve/demo_page_browser_test.mjs)
# drives Debian's chromium with: npm's playwright-core at a pinned version, into an
# ignored folder of the checkout. --ignore-scripts: playwright's own browser download
# never runs (the test uses /usr/bin/chromium, from scripts/install-deps.sh).
#
# Idempotent and quick: when that version is there already, nothing is fetched.
# Needs: node and npm (scripts/install-deps.sh).
#
#   scripts/fetch-browser-test-tools.sh [PREFIX]   default PREFIX: third_party/downloads/browser-test-tools
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${1:-$root/third_party/downloads/browser-test-tools}"
version="1.65.2"
package_json="$prefix/node_modules/playwright-core/package.json"

say() { echo "fetch-browser-test-tools: $*" >&2; }
die() { say "error: $*"; exit 1; }

for tool in node npm; do
  command -v "$tool" >/dev/null || die "'$tool' is not installed (see scripts/install-deps.sh)"
done

installed_version() {
  [ -f "$package_json" ] && node -e 'console.log(require(process.argv[1]).version)' "$package_json"
}

if [ "$(installed_version || true)" = "$version" ]; then
  say "playwright-core $version is already in $prefix; nothing to do"
  exit 0
fi

say "installing playwright-core@$version into $prefix (npm; no install scripts, no browser download)"
mkdir -p "$prefix"
npm install --ignore-scripts --no-save --no-audit --no-fund --loglevel=error \
  --prefix "$prefix" "playwright-core@$version" >/dev/null \
  || die "npm install playwright-core@$version failed"
[ "$(installed_version || true)" = "$version" ] \
  || die "npm finished but $package_json is not version $version"
say "playwright-core $version installed in $prefix"
