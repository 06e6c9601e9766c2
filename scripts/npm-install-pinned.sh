#!/usr/bin/env bash
# Installs one npm package at a pinned version into PREFIX (an ignored folder of the
# checkout), for the tests that run it: with --ignore-scripts, so no package's install
# script downloads anything (browsers, GPU libraries). Idempotent and quick: when that
# version is there already, nothing is fetched. Used by scripts/fetch-*.sh.
#
#   scripts/npm-install-pinned.sh PACKAGE VERSION PREFIX
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 PACKAGE VERSION PREFIX" >&2; exit 2; }
package="$1" version="$2" prefix="$3"
package_json="$prefix/node_modules/$package/package.json"

say() { echo "npm-install-pinned: $*" >&2; }
die() { say "error: $*"; exit 1; }

for tool in node npm; do
  command -v "$tool" >/dev/null || die "'$tool' is not installed (see scripts/install-deps.sh)"
done

installed_version() {
  [ -f "$package_json" ] && node -e 'console.log(require(process.argv[1]).version)' "$package_json"
}

if [ "$(installed_version || true)" = "$version" ]; then
  say "$package $version is already in $prefix; nothing to do"
  exit 0
fi

say "installing $package@$version into $prefix (npm, install scripts skipped)"
mkdir -p "$prefix"
npm install --ignore-scripts --no-save --no-audit --no-fund --loglevel=error \
  --prefix "$prefix" "$package@$version" >/dev/null \
  || die "npm install $package@$version failed"
[ "$(installed_version || true)" = "$version" ] \
  || die "npm finished but $package_json is not version $version"
say "$package $version installed in $prefix"
