#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the atlas tests (Debian's postgresql package,
# installed when missing) in a fresh temp directory, listening on loopback only, and print
# the line that points the tests at it:
#
#   eval "$(scripts/start-postgres.sh)"     # exports RBAC_LENS_TEST_POSTGRES=postgres://...
#   cargo test -p rbac-lens-atlas -p rbac-lens
#   scripts/start-postgres.sh --stop DIR    # stop it again (DIR is printed as a comment)
#
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
# Trust authentication on 127.0.0.1 only: a test server, never for real data.
set -euo pipefail

as_pg=()
if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); fi

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [ "${1:-}" = "--stop" ]; then
  dir=${2:?usage: start-postgres.sh --stop DIR}
  "${as_pg[@]}" "$(pg_bin)/pg_ctl" -D "$dir/data" -m fast -w stop >&2
  exit 0
fi

if [ -z "$(pg_bin)" ] || [ ! -x "$(pg_bin)/initdb" ]; then
  echo "installing Debian's postgresql package" >&2
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  else
    sudo apt-get update -qq >&2
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  fi
fi
bin=$(pg_bin)
# The Debian package starts its own cluster on 5432; ours is separate and needs none of it.

dir=$(mktemp -d "${TMPDIR:-/tmp}/rbac-lens-pg.XXXXXX")
chmod 755 "$dir"
if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi

port=${RBAC_LENS_PG_PORT:-}
if [ -z "$port" ]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 55432)
fi

"${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >&2 \
  || { cat "$dir/server.log" >&2; exit 1; }
"${as_pg[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -q -c "CREATE DATABASE rbac_lens_test" postgres >&2

echo "# PostgreSQL $("$bin/postgres" --version | awk '{print $3}') in $dir (stop: scripts/start-postgres.sh --stop $dir)"
echo "export RBAC_LENS_TEST_POSTGRES=postgres://postgres@127.0.0.1:$port/rbac_lens_test"
