#!/usr/bin/env bash
# Regenerate the expected output of every Helm fixture from the real helm (the oracle).
#
# Usage: scripts/gen-helm-fixtures.sh [FILTER...]
#   FILTER: optional substrings of case paths (e.g. "sprig" or "values/set-null"); default: every case.
#   The helm binary is $RBAC_LENS_HELM, else the one scripts/fetch-helm.sh provides (downloaded once).
#
# Layout (crates/helm/tests/fixtures/<area>/<case>/):
#   chart/ or chart.tgz  the chart to render (a .tgz is used when chart/ is absent)
#   args                 helm template flags, ONE ARGUMENT PER LINE; '#' lines are comments (the first ones
#                        describe the case). Relative paths (-f x.yaml, --set-file k=x.txt) are relative to
#                        the case directory.
#   tgz-src/<name>/      optional chart sources packed with `helm package` before rendering:
#                        tgz-src/top/ becomes ./chart.tgz, any other becomes chart/charts/<name>-<version>.tgz.
#                        Packing happens only when the .tgz is missing, or always with REPACK=1.
#   expected.yaml        exact stdout of `helm template rel <chart> <args>` when helm succeeds
#   expected.err         exact stderr when helm fails (then there is no expected.yaml)
#
# The release name is always "rel". Helm runs with empty HELM_*_HOME dirs and no kubeconfig, so nothing
# on this machine leaks into the fixtures.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
FIXTURES="$ROOT/crates/helm/tests/fixtures"
HELM=${RBAC_LENS_HELM:-$("$ROOT/scripts/fetch-helm.sh")}
[[ -x "$HELM" ]] || { echo "gen-helm-fixtures.sh: no helm at $HELM" >&2; exit 1; }
echo "gen-helm-fixtures.sh: using $("$HELM" version --short) at $HELM" >&2

SANDBOX=$(mktemp -d)
trap 'rm -rf "$SANDBOX"' EXIT
export HELM_CACHE_HOME="$SANDBOX/cache" HELM_CONFIG_HOME="$SANDBOX/config" HELM_DATA_HOME="$SANDBOX/data"
export KUBECONFIG="$SANDBOX/no-kubeconfig"
unset HELM_NAMESPACE HELM_KUBECONTEXT HELM_DEBUG || true

FILTERS=("$@")
# Whether a case (its path relative to the fixtures dir) is selected by the filters.
matches() {
  ((${#FILTERS[@]} == 0)) && return 0
  local f
  for f in "${FILTERS[@]}"; do [[ "$1" == *"$f"* ]] && return 0; done
  return 1
}

ok=0 failed=0
while IFS= read -r argsfile; do
  dir=$(dirname "$argsfile")
  rel=${dir#"$FIXTURES/"}
  matches "$rel" || continue

  # Pack tgz sources.
  if [[ -d "$dir/tgz-src" ]]; then
    for src in "$dir"/tgz-src/*/; do
      src=${src%/}
      name=$(basename "$src")
      if [[ "$name" == top ]]; then
        if [[ ! -f "$dir/chart.tgz" || "${REPACK:-}" == 1 ]]; then
          out=$("$HELM" package "$src" -d "$SANDBOX/pkg-$$" | sed 's/.*: //')
          mv -f "$out" "$dir/chart.tgz"
        fi
      else
        mkdir -p "$dir/chart/charts"
        if ! ls "$dir/chart/charts/$name"-*.tgz >/dev/null 2>&1 || [[ "${REPACK:-}" == 1 ]]; then
          rm -f "$dir/chart/charts/$name"-*.tgz
          "$HELM" package "$src" -d "$dir/chart/charts" >/dev/null
        fi
      fi
    done
  fi

  chart=./chart
  [[ -d "$dir/chart" ]] || chart=./chart.tgz
  args=()
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ -z "$line" || "$line" == \#* ]] && continue
    args+=("$line")
  done <"$argsfile"

  rm -f "$dir/expected.yaml" "$dir/expected.err"
  if (cd "$dir" && "$HELM" template rel "$chart" "${args[@]}" >"$SANDBOX/out" 2>"$SANDBOX/err"); then
    cp "$SANDBOX/out" "$dir/expected.yaml"
    ok=$((ok + 1))
  else
    cp "$SANDBOX/err" "$dir/expected.err"
    failed=$((failed + 1))
  fi
done < <(find "$FIXTURES" -name args -type f | sort)

echo "gen-helm-fixtures.sh: $ok cases rendered (expected.yaml), $failed cases failed in helm (expected.err)" >&2
