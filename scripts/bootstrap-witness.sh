#!/bin/sh
# Installs the pinned C2SP tlog-witness reference witness (litewitness, witnessctl from filippo.io/torchwood) into
# .tools/bin with `go install`; the witness-cosigning tests run it as a real witness. `npm start` does not need it.
set -eu
TORCHWOOD_VERSION=v0.6.1
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin"
installed() {
  [ -x "$bin/$1" ] && command -v go >/dev/null 2>&1 && go version -m "$bin/$1" 2>/dev/null | grep -q "mod[[:space:]]*filippo.io/torchwood[[:space:]]*$TORCHWOOD_VERSION"
}
if installed litewitness && installed witnessctl; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "bootstrap-witness: Go is required to install litewitness $TORCHWOOD_VERSION (go install); install Go or put litewitness and witnessctl at $bin" >&2
  exit 1
fi
mkdir -p "$bin"
echo "bootstrap-witness: installing litewitness and witnessctl $TORCHWOOD_VERSION into $bin" >&2
GOBIN="$bin" go install "filippo.io/torchwood/cmd/litewitness@$TORCHWOOD_VERSION" "filippo.io/torchwood/cmd/witnessctl@$TORCHWOOD_VERSION"
