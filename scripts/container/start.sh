#!/bin/sh
# The container's entrypoint: refuses to start on a data directory this user cannot write (a volume
# mounted root-owned) with one line that says how to fix it, then runs `maestro serve`.
set -eu
cd "$(dirname "$0")/../.."
data=${MAESTRO_DATA_DIR:-.maestro}
mkdir -p "$data" 2>/dev/null || true
probe="$data/.write-probe.$$"
if ! ( : > "$probe" ) 2>/dev/null; then
  echo "maestro: data directory $data is not writable by uid $(id -u); mount a volume owned by uid $(id -u) (the image prepares /data that way) or set MAESTRO_DATA_DIR" >&2
  exit 1
fi
rm -f "$probe"
exec node --disable-warning=ExperimentalWarning cli/main.ts serve "$@"
