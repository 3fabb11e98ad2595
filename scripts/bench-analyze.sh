#!/usr/bin/env bash
# Whole-command benchmark of `rbac-lens analyze -o json` on 1k, 10k and 100k generated objects:
# wall time (median of N runs), objects per second, peak memory (max RSS), and the stage timings
# of the median run (RBAC_LENS_TIMINGS). Usage: scripts/bench-analyze.sh [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
cargo build --release -q -p rbac-lens
bin=${CARGO_TARGET_DIR:-target}/release/rbac-lens
dir=target/bench-inputs
mkdir -p "$dir"
printf '%-8s %-10s %-12s %-12s %s\n' objects median_s objects_per_s peak_MiB stages
for n in 1000 10000 100000; do
  f="$dir/objects-$n.yaml"
  [ -f "$f" ] || python3 scripts/gen-manifests.py "$n" > "$f"
  results=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$dir/time.txt" env RBAC_LENS_TIMINGS=1 "$bin" analyze -o json "$f" >/dev/null 2>"$dir/stages.txt" || true
    results+=("$(cat "$dir/time.txt") $(grep -o '[a-z+]*: [0-9.]*' "$dir/stages.txt" | tr '\n' ' ')")
  done
  median=$(printf '%s\n' "${results[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  read -r secs kb stages <<<"$median"
  printf '%-8s %-10s %-12.0f %-12.0f %s\n' "$n" "$secs" "$(python3 -c "print($n / $secs)")" "$(python3 -c "print($kb / 1024)")" "$stages"
done
