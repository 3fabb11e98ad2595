#!/usr/bin/env bash
# Latency of the atlas API's chart pages at a fixed request rate on loopback.
#
# Scans the corpus charts into a fresh SQLite store, starts `rbac-lens serve` on it, and
# drives one chart version page (the largest report by default) and its chart page with
# Debian's `wrk` at RATE requests/s, printing p50/p90/p99/p99.9 and the rate achieved.
#
# Debian's wrk has no rate flag (that is wrk2); the rate comes from a Lua `delay()`: each
# of CONNS connections waits CONNS/RATE seconds between requests, so the server sees RATE
# requests/s as long as a request takes much less than that wait (it does: well under a
# millisecond). wrk's latency excludes the delay.
#
#   scripts/bench-serve.sh                     # 100 req/s for 30 s, 10 connections
#   RATE=200 DURATION=60 scripts/bench-serve.sh
#   RBAC_LENS=target/release/rbac-lens scripts/bench-serve.sh   # skip the build
#   URL_PATH=/api/v1/charts scripts/bench-serve.sh              # another route
#
# Needs: wrk (installed with apt-get when missing, as root), python3, cargo (unless
# RBAC_LENS is given). Exits non-zero when any request fails or p99 is over MAX_P99_MS.
set -euo pipefail

RATE=${RATE:-100}
DURATION=${DURATION:-30}
CONNS=${CONNS:-10}
PORT=${PORT:-18089}
MAX_P99_MS=${MAX_P99_MS:-20}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${CORPUS:-$ROOT/../shared/corpus}

if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
    else
        echo "bench-serve: wrk is missing: apt-get install wrk" >&2
        exit 2
    fi
fi

if [ -z "${RBAC_LENS:-}" ]; then
    (cd "$ROOT" && cargo build --release -q -p rbac-lens)
    RBAC_LENS=${CARGO_TARGET_DIR:-$ROOT/target}/release/rbac-lens
fi

WORK=$(mktemp -d -t rbac-lens-bench-serve.XXXXXX)
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# Every corpus chart, by path.
{
    echo "charts:"
    for chart in "$CORPUS"/*/*/chart; do
        echo "  - path: $chart"
    done
} >"$WORK/projects.yaml"
DB="sqlite://$WORK/atlas.db"
start=$(date +%s)
"$RBAC_LENS" atlas scan --projects "$WORK/projects.yaml" --db "$DB" --quiet
echo "bench-serve: scanned $(grep -c 'path:' "$WORK/projects.yaml") charts in $(( $(date +%s) - start )) s"

"$RBAC_LENS" serve --db "$DB" --addr "127.0.0.1:$PORT" --no-site 2>"$WORK/serve.log" &
SERVER_PID=$!
BASE="http://127.0.0.1:$PORT"

# Wait for the server, then pick the page: the chart version with the most permission rows.
python3 - "$BASE" "${URL_PATH:-}" >"$WORK/paths" <<'EOF'
import json, sys, time, urllib.request
base, wanted = sys.argv[1], sys.argv[2]
for _ in range(300):
    try:
        urllib.request.urlopen(base + "/healthz", timeout=1).read()
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("bench-serve: the server did not come up")
if wanted:
    print(wanted)
    sys.exit()
charts = json.load(urllib.request.urlopen(base + "/api/v1/charts"))["charts"]
c = max(charts, key=lambda c: c["latest"]["permissions"])
print(f"/api/v1/charts/{c['repo']}/{c['chart']}/{c['latest']['version']}")
print(f"/api/v1/charts/{c['repo']}/{c['chart']}")
EOF

cat >"$WORK/rate.lua" <<EOF
local wait_ms = $CONNS * 1000 / $RATE
function delay() return wait_ms end
function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read
            + summary.errors.write + summary.errors.timeout
  io.write(string.format("requests %d in %.1f s = %.1f req/s; failed %d; %.0f bytes/response\n",
    summary.requests, secs, summary.requests / secs, bad, summary.bytes / summary.requests))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("p%-4s %7.3f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("max   %7.3f ms\n", latency.max / 1000))
  local f = io.open("$WORK/result", "a")
  f:write(string.format("%d %.3f\n", bad, latency:percentile(99) / 1000))
  f:close()
end
EOF

echo "bench-serve: wrk -t2 -c$CONNS -d${DURATION}s at $RATE req/s ($(nproc) cores, $(uname -m))"
while read -r path; do
    echo "== GET $path"
    wrk -t2 -c"$CONNS" -d"${DURATION}s" -s "$WORK/rate.lua" "$BASE$path" | grep -v -e '^Running' -e '^  [0-9]* threads'
done <"$WORK/paths"

status=0
while read -r bad p99; do
    if [ "$bad" != 0 ]; then echo "bench-serve: $bad requests failed" >&2; status=1; fi
    if ! awk -v p="$p99" -v max="$MAX_P99_MS" 'BEGIN { exit !(p <= max) }'; then
        echo "bench-serve: p99 $p99 ms is over $MAX_P99_MS ms" >&2
        status=1
    fi
done <"$WORK/result"
exit $status
