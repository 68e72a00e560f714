# Shared helpers for the .ci scripts (sourced, not run).

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

# Builds share one cache outside the checkout, so fresh clones in CI reuse earlier work.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/video-agent-studio/target}"
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# The desktop binary built with embedded UI assets (not the dev-server variant).
APP_BINARY="$CARGO_TARGET_DIR/debug/video-agent-studio"
export APP_BINARY

# The API conformance fuzzer, pinned, installed by .ci/setup into its own venv.
SCHEMATHESIS_VERSION=4.32.5
SCHEMATHESIS_VENV="$HOME/.cache/video-agent-studio/schemathesis-$SCHEMATHESIS_VERSION"
SCHEMATHESIS="$SCHEMATHESIS_VENV/bin/schemathesis"

log() { printf '\n==> %s\n' "$*" >&2; }

# Runs the command as root, through sudo when we are not root already.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

has_display() {
  [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]
}

# Builds the web UI and the app binary with the UI embedded (tauri/custom-protocol), for the
# end-to-end tests (the same binary users get: the e2e drags files for real).
build_app() {
  (cd "$REPO_ROOT" && npm --prefix ui run build) &&
    (cd "$REPO_ROOT" && cargo build -p video-agent-studio --features tauri/custom-protocol)
}
