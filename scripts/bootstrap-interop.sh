#!/bin/sh
# Installs the pinned `cosign` CLI into .tools/bin with `go install`, for the Go interop tests (tests/interop/).
# The first build takes many minutes on 2 cores; the Go build cache makes repeat runs fast.
set -eu
COSIGN_VERSION=v3.1.3
tool=bootstrap-interop
. "$(dirname "$0")/go-tools.sh"
# go install leaves cosign's own version string unset, so the module version recorded in the binary is what is checked.
if pinned cosign github.com/sigstore/cosign/v3 "$COSIGN_VERSION"; then
  exit 0
fi
note="first build takes many minutes"
install_pinned "cosign $COSIGN_VERSION" "github.com/sigstore/cosign/v3/cmd/cosign@$COSIGN_VERSION"
