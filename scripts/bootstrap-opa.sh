#!/bin/sh
# Installs the pinned `opa` CLI into .tools/bin with `go install` (the Go build cache makes
# repeat runs fast). Policy build/test and CI need it; `npm start` does not (see README).
set -eu
OPA_VERSION=v1.22.0
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin"
if [ -x "$bin/opa" ] && "$bin/opa" version 2>/dev/null | grep -q "^Version: ${OPA_VERSION#v}\$"; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "bootstrap-opa: Go is required to install opa $OPA_VERSION (go install); install Go or put opa $OPA_VERSION at $bin/opa" >&2
  exit 1
fi
mkdir -p "$bin"
echo "bootstrap-opa: installing opa $OPA_VERSION into $bin (first build takes a few minutes)" >&2
GOBIN="$bin" go install "github.com/open-policy-agent/opa@$OPA_VERSION"
"$bin/opa" version | head -1 >&2
