#!/usr/bin/env bash
# The test command of the README: every test of the workspace.
# Tests that need ../shared (the conformance cases and the chart corpus) or the helm oracle
# (scripts/fetch-helm.sh; found through $RBAC_LENS_HELM or the default cache) say so loudly
# when those are missing instead of passing silently.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${RBAC_LENS_HELM:-}" ]; then
  RBAC_LENS_HELM=$(scripts/fetch-helm.sh 2>/dev/null) || unset RBAC_LENS_HELM
  [ -n "${RBAC_LENS_HELM:-}" ] && export RBAC_LENS_HELM
fi
exec cargo test --workspace --locked "$@"
