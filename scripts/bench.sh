#!/usr/bin/env bash
# Load benchmark: builds a release Intake, starts it, and drives it with the
# Rust load generator (examples/loadgen.rs) on SQLite, on PostgreSQL, and with
# two instances on PostgreSQL. Prints throughput, latency, errors, CPU and RSS.
#
# Usage: scripts/bench.sh [sqlite|postgres|two|all] [seconds per run, default 10]
# PostgreSQL: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test).
set -euo pipefail
source "$(dirname "$0")/tools.sh"
ensure_tools
cd "$REPO_ROOT"
WHICH="${1:-all}"
SECS="${2:-10}"
PG_URL="${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
LEADS=100000
ADMIN_EMAIL=bench@firm.test
ADMIN_PASSWORD='bench password 123'

step "building (release)"
cargo leptos build --release --precompress >/dev/null
cargo build --release --no-default-features --features ssr --example loadgen >/dev/null 2>&1
LOADGEN=target/release/examples/loadgen
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

start() { # start PORT DATABASE_URL -> sets PID
  local port=$1 db=$2 dir
  dir="$(mktemp -d)"
  DATABASE_URL="$db" INTAKE_DATA_DIR="$dir" LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site \
    INTAKE_SUBMIT_RATE=0 INTAKE_ADMIN_EMAIL=$ADMIN_EMAIL INTAKE_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    INTAKE_NOTIFY_EMAIL=attorneys@firm.test RUST_LOG=warn target/release/intake >"$dir/server.log" 2>&1 &
  PID=$!
  PIDS+=("$PID")
  for _ in $(seq 100); do
    if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; then
      # Accounts for the login scenario (the same password as the admin's); "already exists" on a second instance.
      for i in $(seq 16); do
        printf '%s\n' "$ADMIN_PASSWORD" | DATABASE_URL="$db" INTAKE_DATA_DIR="$dir" RUST_LOG=error \
          target/release/intake user add --email "login$i@firm.test" --name "Login $i" >/dev/null 2>&1 || true
      done
      return
    fi
    sleep 0.1
  done
  echo "server on $port did not start"; cat "$dir/server.log"; exit 1
}

fresh_pg() {
  local name="intake_bench_$(date +%s%N)"
  psql -q -d "$PG_URL" -c "CREATE DATABASE $name" >/dev/null
  echo "${PG_URL%/*}/$name"
}

scenario() { # scenario LABEL URL... (uses PIDS of the current servers)
  local label=$1; shift
  local urls=() pids=()
  for u in "$@"; do urls+=(--url "$u"); done
  for p in "${CUR[@]}"; do pids+=(--server-pid "$p"); done
  step "$label: submissions"
  for c in 16 64 1024; do $LOADGEN submit "${urls[@]}" --concurrency $c --seconds "$SECS" "${pids[@]}"; done
  local have
  have=$(curl -s -X POST -H 'content-type: application/x-www-form-urlencoded' -b "$(login_cookie "$1")" \
    --data 'filter[q]=' "$1/api/internal/leads" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
  if [ "$have" -lt $LEADS ]; then
    step "$label: seeding to $LEADS leads (have $have)"
    $LOADGEN seed "${urls[@]}" --concurrency 64 --count $((LEADS - have)) "${pids[@]}"
  fi
  # Seeding queued two emails per lead; let the sender drain them so the
  # dashboard figures measure the dashboard.
  wait_quiet "${CUR[@]}"
  step "$label: dashboard list and search over $LEADS leads"
  $LOADGEN list --url "$1" --concurrency 16 --seconds "$SECS" --email $ADMIN_EMAIL --password "$ADMIN_PASSWORD" "${pids[@]}"
  $LOADGEN list --url "$1" --concurrency 16 --seconds "$SECS" --search --email $ADMIN_EMAIL --password "$ADMIN_PASSWORD" "${pids[@]}"
  $LOADGEN page --url "$1" --concurrency 16 --seconds "$SECS" --email $ADMIN_EMAIL --password "$ADMIN_PASSWORD" "${pids[@]}"
  step "$label: 100 live dashboards while submissions flow"
  $LOADGEN live "${urls[@]}" --dashboards 100 --submissions 500 --rate 100 --email $ADMIN_EMAIL --password "$ADMIN_PASSWORD" "${pids[@]}"
  step "$label: 16 concurrent logins over 16 accounts, from one address"
  local logins=()
  for i in $(seq 16); do logins+=(--email "login$i@firm.test"); done
  $LOADGEN logins --url "$1" --concurrency 16 --count 256 "${logins[@]}" --password "$ADMIN_PASSWORD" "${pids[@]}"
}

wait_quiet() { # wait_quiet PID... : until the servers use under 5% CPU for a second (at most 3 minutes)
  local i a b
  for i in $(seq 180); do
    a=0; b=0
    for p in "$@"; do a=$((a + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
    sleep 1
    for p in "$@"; do b=$((b + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
    if [ $((b - a)) -lt 5 ]; then echo "  (servers idle after ${i} s)"; return; fi
  done
}

login_cookie() {
  curl -s -o /dev/null -D - -X POST --data-urlencode "email=$ADMIN_EMAIL" --data-urlencode "password=$ADMIN_PASSWORD" \
    "$1/login" | awk -F'[ ;]' 'tolower($1) == "set-cookie:" { print $2 }'
}

page_weight() {
  step "page weight (first visit, compressed as served)"
  local base=$1 total=0
  for path in / /pkg/intake.js /pkg/intake.wasm /pkg/intake.css; do
    local bytes
    bytes=$(curl -s -H 'accept-encoding: br, gzip' -o /dev/null -w '%{size_download}' "$base$path")
    echo "  $path: $bytes bytes"
    total=$((total + bytes))
  done
  echo "  total for /: $total bytes"
}

if [[ $WHICH == sqlite || $WHICH == all ]]; then
  start 3301 "sqlite://$(mktemp -d)/bench.db"; CUR=("$PID")
  page_weight http://127.0.0.1:3301
  scenario "SQLite" http://127.0.0.1:3301
  kill "$PID"
fi
if [[ $WHICH == postgres || $WHICH == all ]]; then
  DB=$(fresh_pg)
  start 3302 "$DB"; CUR=("$PID")
  scenario "PostgreSQL" http://127.0.0.1:3302
  kill "$PID"
fi
if [[ $WHICH == two || $WHICH == all ]]; then
  DB=$(fresh_pg)
  start 3303 "$DB"; A=$PID
  start 3304 "$DB"; CUR=("$A" "$PID")
  scenario "Two instances on PostgreSQL" http://127.0.0.1:3303 http://127.0.0.1:3304
fi
