#!/usr/bin/env bash
# Load benchmark: builds a release Intake, starts it, and drives it with the
# Rust load generator (examples/loadgen.rs) on SQLite, on PostgreSQL, and with
# two instances on PostgreSQL. Prints throughput, latency, errors, CPU per
# request (app and database processes) and RSS.
#
# Per backend: submissions (.eml mail; on SQLite also through an SMTP sink,
# the production path), then the dashboard over 100,000 leads with real-looking
# names (examples/seed.rs) and over 1,000,000, searches for synthetic and for
# real-looking names, 100 live dashboards at 50 events/s (and none, to compare),
# and logins.
#
# Usage: scripts/bench.sh [sqlite|postgres|two|all] [seconds per run, default 10]
# PostgreSQL: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test).
# BENCH_BIG (default 1000000): the large table's size; 0 skips it.
set -euo pipefail
source "$(dirname "$0")/tools.sh"
ensure_tools
cd "$REPO_ROOT"
WHICH="${1:-all}"
SECS="${2:-10}"
PG_URL="${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
LEADS=100000
BIG="${BENCH_BIG:-1000000}"
ADMIN_EMAIL=bench@firm.test
ADMIN_PASSWORD='bench password 123'

step "building (release)"
cargo leptos build --release --split --precompress >/dev/null
cargo build --release --no-default-features --features ssr --example loadgen --example seed --example smtp_sink \
  >/dev/null 2>&1
LOADGEN=target/release/examples/loadgen
SEED=target/release/examples/seed
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

start() { # start PORT DATABASE_URL [SMTP_URL] -> sets PID
  local port=$1 db=$2 smtp=${3:-} dir
  dir="$(mktemp -d)"
  SMTP_URL="$smtp" DATABASE_URL="$db" INTAKE_DATA_DIR="$dir" LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site \
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

scenario() { # scenario LABEL DATABASE_URL URL... (uses CUR, the PIDs of the current servers)
  local label=$1 db=$2; shift 2
  local urls=() pids=()
  for u in "$@"; do urls+=(--url "$u"); done
  for p in "${CUR[@]}"; do pids+=(--server-pid "$p"); done
  if [[ $db == postgres* ]]; then pids+=(--db-procs postgres); fi
  local auth=(--email $ADMIN_EMAIL --password "$ADMIN_PASSWORD")
  step "$label: submissions"
  for c in 16 64 1024; do $LOADGEN submit "${urls[@]}" --concurrency $c --seconds "$SECS" "${pids[@]}"; done
  # Seeding queued two emails per lead; let the sender drain them so the
  # dashboard figures measure the dashboard.
  wait_quiet "${CUR[@]}"
  step "$label: seeding to $LEADS leads with real-looking names"
  $SEED "$db" $LEADS
  dashboard "$label" $LEADS "$1" "${pids[@]}"
  $LOADGEN page --url "$1" --concurrency 16 --seconds "$SECS" "${auth[@]}" "${pids[@]}"
  step "$label: live updates, 50 submissions/s, with no dashboard and with 100 (database transactions/s: $(tps_note "$db"))"
  for d in 0 100; do
    local t0; t0=$(xacts "$db")
    $LOADGEN live "${urls[@]}" --dashboards $d --submissions 500 --rate 50 "${auth[@]}" "${pids[@]}"
    if [[ $db == postgres* ]]; then echo "  database: $(( ($(xacts "$db") - t0) / 10 )) transactions/s"; fi
  done
  wait_quiet "${CUR[@]}"
  step "$label: 16 concurrent logins over 16 accounts, from one address"
  local logins=()
  for i in $(seq 16); do logins+=(--email "login$i@firm.test"); done
  $LOADGEN logins --url "$1" --concurrency 16 --count 256 "${logins[@]}" --password "$ADMIN_PASSWORD" "${pids[@]}"
  if [ "$BIG" -gt 0 ]; then
    step "$label: seeding to $BIG leads"
    $SEED "$db" "$BIG"
    dashboard "$label" "$BIG" "$1" "${pids[@]}"
  fi
}

dashboard() { # dashboard LABEL SIZE URL PIDS...
  local label=$1 size=$2 url=$3; shift 3
  step "$label: dashboard list and search over $size leads (c=16)"
  for mode in "" --search --search-varied; do
    # shellcheck disable=SC2086
    $LOADGEN list --url "$url" --concurrency 16 --seconds "$SECS" $mode --email $ADMIN_EMAIL --password "$ADMIN_PASSWORD" "$@"
  done
}

tps_note() { if [[ $1 == postgres* ]]; then echo "from pg_stat_database"; else echo "SQLite: in the app process"; fi; }

xacts() { # committed transactions so far (PostgreSQL; 0 for SQLite)
  if [[ $1 == postgres* ]]; then
    psql -Atq -d "$1" -c "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
  else echo 0; fi
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

page_weight() {
  step "page weight (first visit, compressed as served)"
  local base=$1 total=0
  # The form's page needs the main WASM and the split loader; the attorneys' pages load their parts later.
  for path in / /pkg/intake.js /pkg/__wasm_split.______________________.js /pkg/intake.wasm /pkg/intake.css; do
    local bytes
    bytes=$(curl -s -H 'accept-encoding: br, gzip' -o /dev/null -w '%{size_download}' "$base$path")
    echo "  $path: $bytes bytes"
    total=$((total + bytes))
  done
  echo "  total for /: $total bytes"
}

if [[ $WHICH == sqlite || $WHICH == all ]]; then
  DB="sqlite://$(mktemp -d)/bench.db"
  start 3301 "$DB"; CUR=("$PID")
  page_weight http://127.0.0.1:3301
  scenario "SQLite" "$DB" http://127.0.0.1:3301
  kill "$PID"
  # The production mail path: the sender speaks SMTP to a relay (here a sink that discards).
  target/release/examples/smtp_sink 2526 & PIDS+=($!)
  start 3305 "sqlite://$(mktemp -d)/bench.db" smtp://127.0.0.1:2526; CUR=("$PID")
  step "SQLite, mail through an SMTP sink: submissions"
  for c in 16 64; do $LOADGEN submit --url http://127.0.0.1:3305 --concurrency $c --seconds "$SECS" --server-pid "$PID"; done
  kill "$PID"
fi
if [[ $WHICH == postgres || $WHICH == all ]]; then
  DB=$(fresh_pg)
  start 3302 "$DB"; CUR=("$PID")
  scenario "PostgreSQL" "$DB" http://127.0.0.1:3302
  kill "$PID"
fi
if [[ $WHICH == two || $WHICH == all ]]; then
  DB=$(fresh_pg)
  start 3303 "$DB"; A=$PID
  start 3304 "$DB"; CUR=("$A" "$PID")
  BIG=0 scenario "Two instances on PostgreSQL" "$DB" http://127.0.0.1:3303 http://127.0.0.1:3304
fi
