#!/bin/sh
# Installs the pinned `opa` CLI into .tools/bin with `go install`, and builds `maestro policy mutate`'s
# mutant-runner (policies/mutant-runner, OPA as a library) beside it; the Go build cache makes repeat runs
# fast. Policy build/test and CI need them; `npm start` does not (see README).
set -eu
OPA_VERSION=v1.22.0
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin"
runner_src="$root/policies/mutant-runner"
# maestro policy mutate's test runner links OPA as a library: it must be the same version as the CLI.
if ! grep -q "github.com/open-policy-agent/opa $OPA_VERSION\$" "$runner_src/go.mod"; then
  echo "bootstrap-opa: policies/mutant-runner/go.mod must require opa $OPA_VERSION, as this script installs" >&2
  exit 1
fi
build_runner() {
  stamp=$(cat "$runner_src/go.mod" "$runner_src/go.sum" "$runner_src"/*.go | sha256sum | cut -c1-64)
  if [ -x "$bin/mutant-runner" ] && [ "$(cat "$bin/mutant-runner.stamp" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  echo "bootstrap-opa: building mutant-runner (opa $OPA_VERSION as a library) into $bin" >&2
  (cd "$runner_src" && go build -o "$bin/mutant-runner" .)
  echo "$stamp" >"$bin/mutant-runner.stamp"
}
if [ -x "$bin/opa" ] && "$bin/opa" version 2>/dev/null | grep -q "^Version: ${OPA_VERSION#v}\$"; then
  build_runner
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
build_runner
