#!/usr/bin/env bash
# Installs what is missing, then runs every check: formatting, lints, unit and
# integration tests (real SQLite, real SMTP sink), Playwright end-to-end tests
# in Debian's Chromium, and the deployment files. Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/tools.sh"
ensure_tools
cd "$REPO_ROOT"

# The debug cfg cargo-leptos uses (faster compiles); the tests, the
# PostgreSQL and S3 runs and clippy share one set of compiled dependencies.
export RUSTFLAGS="--cfg erase_components"
LOG_DIR="$(mktemp -d)"
trap 'rm -rf "$LOG_DIR"' EXIT

step "formatting"
cargo fmt --check

step "unit, store contract and integration tests (SQLite)"
cargo test --no-default-features --features ssr --workspace 2>&1 | tee "$LOG_DIR/cargo-test.log"

# PostgreSQL: the same integration suite, plus the multi-instance tests, when a
# server answers. INTAKE_TEST_POSTGRES_URL names one; otherwise the local default.
PG_URL="${INTAKE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -d "$PG_URL" 2>/dev/null; then
  step "store contract and integration tests on PostgreSQL ($PG_URL), including several instances"
  # Each test makes its own database and drops it when it ends, failed or not.
  INTAKE_TEST_POSTGRES_URL="$PG_URL" cargo test --no-default-features --features ssr --workspace \
    --test api --test contract -- --include-ignored --skip storage:: --skip ::sqlite 2>&1 | tee "$LOG_DIR/cargo-test-pg.log"
else
  step "PostgreSQL not reachable at $PG_URL: skipping the PostgreSQL run (set INTAKE_TEST_POSTGRES_URL to use one)"
  : > "$LOG_DIR/cargo-test-pg.log"
fi
if python3 -c 'import moto.server' >/dev/null 2>&1; then
  step "object storage test against moto_server (S3-compatible, on loopback)"
  cargo test --no-default-features --features ssr --test api storage:: -- --include-ignored 2>&1 | tee "$LOG_DIR/cargo-test-s3.log"
else
  step "Python moto not installed: skipping the S3 storage test (pip install 'moto[server]')"
  : > "$LOG_DIR/cargo-test-s3.log"
fi
rust_passed=$(cat "$LOG_DIR/cargo-test.log" "$LOG_DIR/cargo-test-pg.log" "$LOG_DIR/cargo-test-s3.log" | grep -Eo 'test result: ok\. [0-9]+ passed' | awk '{s += $4} END {print s + 0}')

step "clippy (ssr and hydrate)"
cargo clippy --no-default-features --features ssr --workspace --all-targets -- -D warnings
cargo clippy --no-default-features --features hydrate --lib --target wasm32-unknown-unknown -- -D warnings

# The browser suite runs against what a firm runs: the release build, exactly
# as `cargo leptos build --release --split` makes it (without the test flags above),
# into its own site directory so a developer's debug site stays intact.
# (`cd end2end && npx playwright test` runs it against the debug build; CI
# leaves that out, as it would build and test everything a second time.)
step "building the release app (server + optimised WASM)"
env -u RUSTFLAGS LEPTOS_SITE_ROOT=target/site-release cargo leptos build --release --split
step "end-to-end tests (Playwright, Chromium) against the release build"
(cd end2end && INTAKE_E2E_BUILD=release npx playwright test) 2>&1 | tee "$LOG_DIR/e2e-release.log"
e2e_release_passed=$(grep -Eo '^ *[0-9]+ passed' "$LOG_DIR/e2e-release.log" | tail -1 | awk '{print $1 + 0}')

# The Dockerfile, compose file and Kubernetes manifests, and the image's layout
# started from the release build just made.
# (Both count their stages' minutes from this script's start.)
SECONDS=$SECONDS bash scripts/deploy-check.sh
# The release server against its own OpenAPI document (schemathesis).
SECONDS=$SECONDS bash scripts/api-conformance.sh

e2e_total=${e2e_release_passed:-0}
echo
echo "Rust tests: ${rust_passed} passed; end-to-end tests (release build): ${e2e_release_passed:-0} passed"
echo "TOTAL: $((rust_passed + e2e_total)) passed, 0 failed (in $((SECONDS / 60))m$((SECONDS % 60))s)"
