#!/bin/sh
# Prepares the server's data directory the way the container image does (Dockerfile): owned by the
# unprivileged user the server runs as, private to it. Keys (0600) and the embedded store live there.
# Usage: prepare-data.sh DIR USER[:GROUP]
set -eu
[ $# -eq 2 ] || { echo "usage: prepare-data.sh DIR USER[:GROUP]" >&2; exit 2; }
mkdir -p "$1"
chown "$2" "$1"
chmod 0700 "$1"
