#!/usr/bin/env bash
# Site generation at scale: 10,000 synthetic chart versions (templates from the corpus, see
# crates/site/examples/synthetic-atlas.rs), generated into OUT (default: a temp dir that is
# removed afterwards), with the time of `generate` and the chart version page sizes printed.
# Usage: scripts/gen-synthetic-atlas.sh [OUT_DIR] [VERSIONS] [CHARTS]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-}
if [ -z "$out" ]; then
  out=$(mktemp -d "${TMPDIR:-/tmp}/rbac-lens-synthetic.XXXXXX")
  trap 'rm -rf "$out"' EXIT
fi
cargo run --release --quiet -p rbac-lens-site --example synthetic-atlas -- "$out/site" "${2:-10000}" "${3:-200}"
du -sh "$out/site" | sed 's/^/disk: /'
