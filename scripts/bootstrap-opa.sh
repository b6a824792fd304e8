#!/bin/sh
# Installs the pinned `opa` CLI into .tools/bin with `go install`, and builds `maestro policy mutate`'s
# mutant-runner (policies/mutant-runner, OPA as a library) beside it; the Go build cache makes repeat runs
# fast. Policy build/test and CI need them; `npm start` does not (see README).
set -eu
OPA_VERSION=v1.22.0
tool=bootstrap-opa
. "$(dirname "$0")/go-tools.sh"
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
note="first build takes a few minutes"
install_pinned "opa $OPA_VERSION" "github.com/open-policy-agent/opa@$OPA_VERSION"
"$bin/opa" version | head -1 >&2
build_runner
