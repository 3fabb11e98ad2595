#!/usr/bin/env bash
# Browser test of the atlas static site: Debian's chromium driven by playwright-core (npm).
# Installs what is missing (chromium via apt, the npm packages via `npm ci`; never a
# downloaded browser), generates the demo site from corpus charts, and runs
# tests/browser/site.test.mjs against it over loopback HTTP and file://.
# Screenshots land in target/browser-artifacts/. Exits nonzero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

log() { printf '== %s\n' "$*" >&2; }

apt_install() {
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
if ((${#need[@]})); then
  log "installing Debian packages: ${need[*]}"
  apt_install "${need[@]}"
fi

log "npm ci (playwright-core only; no browser download)"
(cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)

site=$(mktemp -d "${TMPDIR:-/tmp}/rbac-lens-site.XXXXXX")
trap 'rm -rf "$site"' EXIT
log "generating the demo site into $site"
cargo run --quiet -p rbac-lens-site --example demo-site -- "$site/site"

log "running the browser test"
mkdir -p "$root/target/browser-artifacts"
node tests/browser/site.test.mjs "$site/site" "$root/target/browser-artifacts"
