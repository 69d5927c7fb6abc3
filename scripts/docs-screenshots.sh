#!/usr/bin/env bash
# The README's screenshots (docs/*.png): a fresh server on the debug build
# (`cargo leptos build --split` first; INTAKE_DOCS_BUILD=release uses the release
# build in target/site-release instead) with a one-minute follow-up deadline, seeded
# with a few leads through the public API, then the attorney's screens at
# 1280 and 360 px. Not part of the test command; run it when screens change.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
data="$(mktemp -d)"
port="$(free_port)"
build="${INTAKE_DOCS_BUILD:-debug}"
site=target/site; [ "$build" = release ] && site=target/site-release
export INTAKE_DATA_DIR="$data" LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$site" \
  INTAKE_PUBLIC_URL="http://127.0.0.1:$port" INTAKE_FIRM_NAME="Harper & Lowe LLP" INTAKE_SUBMIT_RATE=0 \
  INTAKE_FOLLOW_UP=1m INTAKE_DIGEST_HOUR=off INTAKE_ADMIN_EMAIL=admin@harperlowe.test \
  INTAKE_ADMIN_PASSWORD="docs admin password" RUST_LOG=error
"target/$build/intake" > "$data/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
wait_until_up "http://127.0.0.1:$port/healthz" "$pid" "$data/server.log"
printf 'docs bob password\n' | "target/$build/intake" user add --email bob@harperlowe.test --name "Bob Burns" > /dev/null
(cd end2end && INTAKE_DOCS_URL="http://127.0.0.1:$port" node docs-screens.mjs)
