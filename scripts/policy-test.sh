#!/bin/sh
# Policy gate for CI and `npm test`: opa fmt/check --strict/test -v, coverage >= 90% over policy files, fresh bundle.
# Needs the pinned opa (scripts/bootstrap-opa.sh); the logic lives in server/policy/policy-test.ts.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
sh "$root/scripts/bootstrap-opa.sh"
exec node "$root/server/policy/policy-test.ts"
