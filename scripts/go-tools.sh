# Sourced by the bootstrap scripts (`. scripts/go-tools.sh`): pinned Go tools go into .tools/bin with `go install`,
# and a binary counts as installed only when the module version recorded in it (`go version -m`) is the pinned one.
# Callers set `tool` (the name used in messages) before sourcing, and may set `note` (said while installing).
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin"

# pinned BINARY MODULE VERSION: .tools/bin/BINARY exists and was built from MODULE at VERSION.
pinned() {
  [ -x "$bin/$1" ] && command -v go >/dev/null 2>&1 &&
    go version -m "$bin/$1" 2>/dev/null | grep -q "mod[[:space:]]*$2[[:space:]]*$3"
}

# need_go WHAT: fail with one line naming what Go was needed for.
need_go() {
  if ! command -v go >/dev/null 2>&1; then
    echo "$tool: Go is required to install $1 (go install); install Go or put it at $bin" >&2
    exit 1
  fi
  mkdir -p "$bin"
}

# install_pinned WHAT PACKAGE@VERSION...: go install into .tools/bin, saying so on stderr.
install_pinned() {
  what=$1
  shift
  need_go "$what"
  echo "$tool: installing $what into $bin${note:+ ($note)}" >&2
  GOBIN="$bin" go install "$@"
}
