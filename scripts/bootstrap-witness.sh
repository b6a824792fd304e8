#!/bin/sh
# Installs the pinned C2SP tlog-witness reference witness (litewitness, witnessctl from filippo.io/torchwood) into
# .tools/bin with `go install`; the witness-cosigning tests run it as a real witness. `npm start` does not need it.
set -eu
TORCHWOOD_VERSION=v0.6.1
tool=bootstrap-witness
. "$(dirname "$0")/go-tools.sh"
if pinned litewitness filippo.io/torchwood "$TORCHWOOD_VERSION" && pinned witnessctl filippo.io/torchwood "$TORCHWOOD_VERSION"; then
  exit 0
fi
install_pinned "litewitness and witnessctl $TORCHWOOD_VERSION" \
  "filippo.io/torchwood/cmd/litewitness@$TORCHWOOD_VERSION" "filippo.io/torchwood/cmd/witnessctl@$TORCHWOOD_VERSION"
