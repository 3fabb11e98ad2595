#!/usr/bin/env bash
# Corpus scan throughput: every chart of ../shared/corpus scanned into a fresh SQLite store
# at -j 1 and at -j 2 (same build, same run), charts per second for each.
#
#   scripts/bench-atlas-scan.sh            # builds the release binary first
#   RBAC_LENS=/path/to/rbac-lens scripts/bench-atlas-scan.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${CORPUS:-$root/../shared/corpus}
target=${CARGO_TARGET_DIR:-$root/target}
bin=${RBAC_LENS:-}
if [ -z "$bin" ]; then
  (cd "$root" && cargo build --release -q -p rbac-lens)
  bin=$target/release/rbac-lens
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

{
  echo "charts:"
  for d in "$corpus"/*/*/; do
    [ -f "$d/chart/Chart.yaml" ] || continue
    b=$(basename "$d")
    printf '  - path: %s\n    name: %s\n' "${d%/}/chart" "${b%%__*}"
  done
} >"$work/projects.yaml"
n=$(grep -c -- '- path:' "$work/projects.yaml")
echo "corpus: $n charts, $(nproc) cores, $("$bin" --version 2>/dev/null || echo rbac-lens)"

for j in ${JOBS:-1 2}; do
  start=$(date +%s.%N)
  "$bin" atlas scan --quiet --projects "$work/projects.yaml" --db "sqlite://$work/j$j.db" \
    --cache "$work/cache" -j "$j" 2>"$work/j$j.log" || true
  end=$(date +%s.%N)
  tail -n 1 "$work/j$j.log"
  awk -v n="$n" -v s="$start" -v e="$end" -v j="$j" \
    'BEGIN { printf "-j %s: %d charts in %.2f s wall = %.2f charts/s\n", j, n, e - s, n / (e - s) }'
done
