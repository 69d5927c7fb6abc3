# Sourced by run.sh and test.sh: installs what is missing, quickly skips what is there.
# Every step checks first, so a warm run costs a few seconds.

export RUST_BACKTRACE=0
export CARGO_TERM_PROGRESS_WHEN=never
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$REPO_ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
CARGO_LEPTOS_VERSION=0.3.11
# Read at compile time by leptos; cargo-leptos sets it, so cargo test and clippy
# must too, or they rebuild leptos (and the binary loses its asset names).
export LEPTOS_OUTPUT_NAME=intake

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
# Each step shows the minutes and seconds since the script started, so a slow stage is visible in CI's log.
step() { printf '\033[1m==> [%d:%02d] %s\033[0m\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }
# A free loopback port.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Waits up to 20 s for URL to answer 2xx while process PID lives; shows LOG if it dies.
wait_until_up() {
  local url="$1" pid="$2" log="$3"
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "the server exited"; return 1; }
    sleep 0.2
  done
  echo "no answer from $url"; return 1
}

ensure_tools() {
  cd "$REPO_ROOT"
  if ! command -v chromium >/dev/null 2>&1; then
    step "installing Chromium (Debian package)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  fi
  ensure_build_tools
  if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    step "installing Playwright (uses Debian's Chromium; no browser download)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# What building the app needs (also what the Dockerfile's build stage runs).
ensure_build_tools() {
  cd "$REPO_ROOT"
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    step "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 18 minutes, once)"
    # Its lockfile needs a newer compiler than stable 1.95; use nightly when present.
    local tc=""
    if rustup toolchain list | grep -q '^nightly'; then tc="+nightly"; fi
    cargo $tc install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
  local wb
  wb="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$wb"; then
    step "installing wasm-bindgen-cli $wb (matches Cargo.lock)"
    cargo install wasm-bindgen-cli --version "$wb"
  fi
  if [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    step "installing npm build tools (wasm-opt)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}
