#!/bin/sh
# Installs the pinned `cosign` CLI into .tools/bin with `go install`, for the Go interop tests (tests/interop/).
# The first build takes many minutes on 2 cores; the Go build cache makes repeat runs fast.
set -eu
COSIGN_VERSION=v3.1.3
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin"
# go install leaves cosign's own version string unset, so the module version recorded in the binary is what is checked.
if [ -x "$bin/cosign" ] && go version -m "$bin/cosign" 2>/dev/null | grep -q "mod[[:space:]]*github.com/sigstore/cosign/v3[[:space:]]*$COSIGN_VERSION"; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "bootstrap-interop: Go is required to install cosign $COSIGN_VERSION (go install)" >&2
  exit 1
fi
mkdir -p "$bin"
echo "bootstrap-interop: installing cosign $COSIGN_VERSION into $bin (first build takes many minutes)" >&2
GOBIN="$bin" go install "github.com/sigstore/cosign/v3/cmd/cosign@$COSIGN_VERSION"
