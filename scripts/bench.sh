#!/usr/bin/env bash
# Load benchmark and performance budget. Builds a release Intake and drives it
# over HTTP, beside the machine's limit probe (`../shared/bench/limit`, the
# least work that keeps a submission's promise: file fsynced, row
# group-committed), with the same loader in the same run, so each figure is
# read as a ratio to what this machine can do at that moment.
#
#   scripts/bench.sh quick      # about 5 minutes: the budget (below); run before every stop that touches a hot path
#   scripts/bench.sh [sqlite|postgres|two|all] [seconds per run, default 10]
#   scripts/bench.sh answers    # about 2 minutes: submissions with four fields and answering eight questions (c=64, alternating, each on a fresh server)
#   scripts/bench.sh logins     # about 3 minutes: logins with the password only, and with an app's code,
#                               # on SQLite and PostgreSQL (figures printed and recorded; the table is left alone)
#
# quick: the limit probe and Intake on SQLite under wrk (c=64, and c=16 for CPU
# per submission; RSS anonymous and file-backed), the server-rendered `/leads`
# at ~730 leads, list and search (a real surname; real-looking names) over
# 100,000 leads on SQLite and PostgreSQL; with BENCH_BIG=1000000 also over
# 1,000,000 (seeding SQLite to that size takes about 4 minutes); then the
# conflict check (a 100,000-party upload, 2,000 leads checked) on both.
# The full runs add submissions at c=1,024, PostgreSQL submissions, the SMTP
# path, live dashboards, logins and two instances.
#
# Every figure is appended as a JSON line to target/bench/results.jsonl, and the
# README's benchmark table is regenerated from it (`loadgen report`), with the
# date and commit: never edit that table by hand.
#
# PostgreSQL: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test).
# The probe and wrk's script: BENCH_SHARED (default ../shared/bench beside the checkout).
set -euo pipefail
source "$(dirname "$0")/tools.sh"
ensure_tools
cd "$REPO_ROOT"
WHICH="${1:-all}"
SECS="${2:-10}"
PG_URL="${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
SHARED="${BENCH_SHARED:-$REPO_ROOT/../shared/bench}"
LEADS=100000
if [ "${1:-all}" = quick ]; then BIG="${BENCH_BIG:-0}"; else BIG="${BENCH_BIG:-1000000}"; fi
ADMIN_EMAIL=bench@firm.test
ADMIN_PASSWORD='bench password 123'
AUTH=(--email $ADMIN_EMAIL --password "$ADMIN_PASSWORD")
# Seals the authenticator apps the two-step login scenario adds (a fresh key each run).
SECRET_KEY="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
TWO_STEP_ACCOUNTS=64
OUT=target/bench
RECORD="$OUT/results.jsonl"

if ! command -v wrk >/dev/null 2>&1; then
  step "installing wrk (Debian package)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
[ -f "$SHARED/limit/Cargo.toml" ] || { echo "no limit probe at $SHARED/limit (set BENCH_SHARED)"; exit 1; }

step "building (release: the app, the bench tools, the limit probe)"
# The release build scripts/test.sh makes and tests (the same site directory, so
# the two share it), with the precompressed files a deployment serves.
SITE=target/site-release
env -u RUSTFLAGS LEPTOS_SITE_ROOT=$SITE cargo leptos build --release --split --precompress >/dev/null
# Its own crate: building it never rebuilds the app (different LEPTOS_* variables would).
cargo build --release -p intake-bench >/dev/null 2>&1
CARGO_TARGET_DIR=target/limit cargo build --release --locked --manifest-path "$SHARED/limit/Cargo.toml" >/dev/null 2>&1
LOADGEN=target/release/loadgen
SEED=target/release/seed
LIMIT=target/limit/release/limit
mkdir -p "$OUT"
: >"$RECORD"
export BENCH_RECORD="$RECORD"
PDF="$OUT/cv50k.pdf"
$LOADGEN pdf "$PDF"
PIDS=()
# Every run's data directories, removed at the end (with the run's PostgreSQL
# databases). BENCH_SCRATCH puts them elsewhere: on a freshly made file system,
# say, since ext4 creates files slower for minutes after a mass deletion.
SCRATCH="$(mktemp -d -p "${BENCH_SCRATCH:-${TMPDIR:-/tmp}}")"
cleanup() {
  for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  rm -rf "$SCRATCH"
  # The server prefers a precompressed file: left behind, the next build's would be shadowed by these.
  find "$SITE/pkg" \( -name '*.br' -o -name '*.gz' \) -delete 2>/dev/null || true
  for db in $(psql -Atq -d "$PG_URL" -c "SELECT datname FROM pg_database WHERE datname LIKE 'intake\_bench\_%'" 2>/dev/null); do
    psql -q -d "$PG_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT

tmpdir() { mktemp -d -p "$SCRATCH"; }

start() { # start PORT DATABASE_URL [SMTP_URL] -> sets PID, and DIR (its data directory)
  local port=$1 db=$2 smtp=${3:-} dir
  dir="$(tmpdir)"
  SMTP_URL="$smtp" DATABASE_URL="$db" INTAKE_DATA_DIR="$dir" LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=$SITE \
    INTAKE_SUBMIT_RATE=0 INTAKE_ADMIN_EMAIL=$ADMIN_EMAIL INTAKE_ADMIN_PASSWORD="$ADMIN_PASSWORD" INTAKE_SECRET_KEY="$SECRET_KEY" \
    INTAKE_NOTIFY_EMAIL=attorneys@firm.test RUST_LOG=warn target/release/intake >"$dir/server.log" 2>&1 &
  PID=$!
  DIR=$dir
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

backend_of() { if [[ $1 == postgres* ]]; then echo postgres; else echo sqlite; fi; }

# Peak RSS is the process's high-water mark: reset it so each run reports its own.
reset_peak() { for p in "$@"; do echo 5 >"/proc/$p/clear_refs" 2>/dev/null || true; done; }

# wrk_submit URL C BACKEND SCENARIO PIDS... (WRK_SCRIPT: another request than the probe's)
wrk_submit() {
  local url=$1 c=$2 backend=$3 scenario=$4; shift 4
  local pids=()
  for p in "$@"; do pids+=(--server-pid "$p"); done
  reset_peak "$@"
  $LOADGEN wrk --url "$url" --concurrency "$c" --seconds "$SECS" --script "${WRK_SCRIPT:-$SHARED/wrk_create.lua}" --pdf "$PDF" \
    --backend "$backend" --scenario "$scenario" "${pids[@]}"
}

# The limit probe, loaded exactly as Intake is. It listens on 127.0.0.1:3000.
limit_probe() {
  step "limit probe (durable): wrk c=64 and c=16"
  rm -f /tmp/limit.db*
  $LIMIT durable >/dev/null 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:3000/ && break; sleep 0.1; done
  for c in 64 16; do wrk_submit http://127.0.0.1:3000 $c limit limit-durable "$pid"; done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf /tmp/limit-files /tmp/limit.db*
}

# dashboard URL DATABASE_URL SIZE PIDS... : list and searches at c=16
dashboard() {
  local url=$1 db=$2 size=$3; shift 3
  local backend pids=()
  backend=$(backend_of "$db")
  for p in "$@"; do pids+=(--server-pid "$p"); done
  if [[ $db == postgres* ]]; then pids+=(--db-procs postgres); fi
  step "$backend: dashboard list and searches over $size leads (c=16)"
  for mode in "" --search-surname --search-varied; do
    # shellcheck disable=SC2086
    $LOADGEN list --url "$url" --concurrency 16 --seconds "$SECS" $mode "${AUTH[@]}" \
      --backend "$backend" --size "$size" "${pids[@]}"
  done
}

# ssr_page DATABASE_URL PORT: the server-rendered /leads over ~730 leads, on a fresh server.
ssr_page() {
  local db=$1 port=$2 backend
  backend=$(backend_of "$db")
  $SEED "$db" 730 >/dev/null
  start "$port" "$db"
  step "$backend: server-rendered /leads over 730 leads (c=16)"
  local pids=(--server-pid "$PID")
  if [[ $db == postgres* ]]; then pids+=(--db-procs postgres); fi
  $LOADGEN page --url "http://127.0.0.1:$port" --concurrency 16 --seconds "$SECS" "${AUTH[@]}" \
    --backend "$backend" --size 730 "${pids[@]}"
  kill "$PID"; wait "$PID" 2>/dev/null || true
}

# sized DATABASE_URL PORT: list and searches at 100,000 and BIG leads, on a fresh server.
sized() {
  local db=$1 port=$2
  $SEED "$db" $LEADS >/dev/null
  start "$port" "$db"
  dashboard "http://127.0.0.1:$port" "$db" $LEADS "$PID"
  if [ "$BIG" -gt 0 ]; then
    step "$(backend_of "$db"): seeding to $BIG leads"
    $SEED "$db" "$BIG"
    dashboard "http://127.0.0.1:$port" "$db" "$BIG" "$PID"
  fi
  kill "$PID"; wait "$PID" 2>/dev/null || true
  conflicts "$db"
}

# conflicts DATABASE_URL: 100,000 parties uploaded at once (with a write every
# 20 ms meanwhile, as submissions), then 2,000 leads checked against them and
# every earlier lead (budget: p99 under 20 ms per lead).
conflicts() {
  step "$(backend_of "$1"): conflict check, 100,000 parties, against every lead"
  target/release/conflicts "$1" 100000 2000
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

# submissions URL DATABASE_URL PIDS...: wrk at c=16 (CPU per submission) and c=64 (throughput, RSS).
submissions() {
  local url=$1 db=$2 backend; shift 2
  backend=$(backend_of "$db")
  step "$backend: submissions under wrk, c=16 and c=64"
  for c in 16 64; do WRK_SCRIPT=scripts/bench/wrk_submit.lua wrk_submit "$url" $c "$backend" submit "$@"; wait_quiet "$@"; done
}

# answered sqlite|postgres PORT: the eight-question budget (within 10% of four
# fields at c=64). Each run is on a fresh server and database: a server that
# has just taken thousands of leads checks each new one against more
# namesakes. Four fields run with no form; eight answers with a matter type of
# eight questions (scripts/bench/form8.json: short and long text, a choice,
# yes/no, a date, a phone, a country), all answered. The two sides alternate,
# four, eight, eight, four, and the report compares their means, so a drift of
# the machine during the run (file-system state, a warming disk cache) falls
# on both sides alike.
answered() {
  local kind=$1 port=$2 db backend side
  fresh_db() { if [[ $kind == sqlite ]]; then echo "sqlite://$(tmpdir)/bench.db"; else fresh_pg; fi; }
  backend=$kind
  step "$backend: four fields and eight answers, alternating, c=64, each on a fresh server"
  for side in four eight eight four; do
    db=$(fresh_db)
    start "$port" "$db"
    if [[ $side == four ]]; then
      WRK_SCRIPT=scripts/bench/wrk_submit.lua wrk_submit "http://127.0.0.1:$port" 64 "$backend" submit-fresh "$PID"
    else
      DATABASE_URL="$db" INTAKE_DATA_DIR="$DIR" RUST_LOG=error \
        target/release/intake form set scripts/bench/form8.json --by "$ADMIN_EMAIL" >/dev/null
      WRK_SCRIPT=scripts/bench/wrk_answers.lua wrk_submit "http://127.0.0.1:$port" 64 "$backend" submit-answers "$PID"
    fi
    kill "$PID"; wait "$PID" 2>/dev/null || true
  done
}

# The full suite's extra scenarios on one backend.
extras() { # extras URL DATABASE_URL PIDS...
  local url=$1 db=$2 backend; shift 2
  backend=$(backend_of "$db")
  local pids=() urls=(--url "$url")
  for p in "$@"; do pids+=(--server-pid "$p"); done
  if [[ $db == postgres* ]]; then pids+=(--db-procs postgres); fi
  step "$backend: 1,024 submitters at once"
  $LOADGEN submit "${urls[@]}" --concurrency 1024 --seconds "$SECS" --backend "$backend" "${pids[@]}"
  wait_quiet "$@"
  step "$backend: live updates, 50 submissions/s, with no dashboard and with 100"
  for d in 0 100; do
    $LOADGEN live "${urls[@]}" --dashboards $d --submissions 500 --rate 50 "${AUTH[@]}" --backend "$backend" "${pids[@]}"
  done
  wait_quiet "$@"
  step "$backend: 16 concurrent logins over 16 accounts, from one address"
  local logins=()
  for i in $(seq 16); do logins+=(--email "login$i@firm.test"); done
  $LOADGEN logins --url "$url" --concurrency 16 --count 256 "${logins[@]}" --password "$ADMIN_PASSWORD" \
    --backend "$backend" "${pids[@]}"
  two_step_logins "$url" "$db" "$backend" "${pids[@]}"
}

# Logins with the password and an authenticator app's code: each of
# TWO_STEP_ACCOUNTS accounts gets an app, then signs in once (a code works once).
two_step_logins() { # two_step_logins URL DATABASE_URL BACKEND PID-ARGS...
  local url=$1 db=$2 backend=$3; shift 3
  local accounts=() dir
  dir="$(tmpdir)"
  step "$backend: adding $TWO_STEP_ACCOUNTS accounts for logins with a code"
  for i in $(seq "$TWO_STEP_ACCOUNTS"); do
    printf '%s\n' "$ADMIN_PASSWORD" | DATABASE_URL="$db" INTAKE_DATA_DIR="$dir" RUST_LOG=error \
      target/release/intake user add --email "twostep$i@firm.test" --name "Two Step $i" >/dev/null
    accounts+=(--email "twostep$i@firm.test")
  done
  step "$backend: 16 concurrent logins with password and code over $TWO_STEP_ACCOUNTS accounts, from one address"
  $LOADGEN logins-2fa --url "$url" --concurrency 16 "${accounts[@]}" --password "$ADMIN_PASSWORD" \
    --backend "$backend" "$@"
}

report() {
  step "the README's benchmark table (from $RECORD)"
  local commit
  commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src crates migrations Cargo.toml Cargo.lock || echo '+changes')"
  $LOADGEN report --record "$RECORD" --readme README.md --commit "$commit" --date "$(date -u +%F)" \
    --command "scripts/bench.sh $WHICH${2:+ $SECS}"
}

case $WHICH in
  quick)
    limit_probe
    DB="sqlite://$(tmpdir)/bench.db"
    start 3301 "$DB"
    page_weight http://127.0.0.1:3301
    submissions http://127.0.0.1:3301 "$DB" "$PID"
    kill "$PID"
    answered sqlite 3307
    ssr_page "sqlite://$(tmpdir)/bench.db" 3302
    sized "sqlite://$(tmpdir)/bench.db" 3303
    sized "$(fresh_pg)" 3304
    ;;
  sqlite | postgres | two | all)
    limit_probe
    if [[ $WHICH == sqlite || $WHICH == all ]]; then
      DB="sqlite://$(tmpdir)/bench.db"
      start 3301 "$DB"
      page_weight http://127.0.0.1:3301
      submissions http://127.0.0.1:3301 "$DB" "$PID"
      extras http://127.0.0.1:3301 "$DB" "$PID"
      kill "$PID"
      answered sqlite 3307
      # The production mail path: the sender speaks SMTP to a relay (here a sink that discards).
      target/release/smtp_sink 2526 & PIDS+=($!)
      start 3305 "sqlite://$(tmpdir)/bench.db" smtp://127.0.0.1:2526
      step "SQLite, mail through an SMTP sink: submissions"
      $LOADGEN submit --url http://127.0.0.1:3305 --concurrency 64 --seconds "$SECS" --server-pid "$PID"
      kill "$PID"
      ssr_page "sqlite://$(tmpdir)/bench.db" 3302
      sized "sqlite://$(tmpdir)/bench.db" 3303
    fi
    if [[ $WHICH == postgres || $WHICH == all ]]; then
      DB=$(fresh_pg)
      start 3311 "$DB"
      submissions http://127.0.0.1:3311 "$DB" "$PID"
      extras http://127.0.0.1:3311 "$DB" "$PID"
      kill "$PID"
      answered postgres 3316
      ssr_page "$(fresh_pg)" 3312
      sized "$(fresh_pg)" 3313
    fi
    if [[ $WHICH == two || $WHICH == all ]]; then
      DB=$(fresh_pg)
      start 3321 "$DB"; A=$PID
      start 3322 "$DB"
      step "two instances on one PostgreSQL: submissions, half to each"
      $LOADGEN submit --url http://127.0.0.1:3321 --url http://127.0.0.1:3322 --concurrency 64 --seconds "$SECS" \
        --server-pid "$A" --server-pid "$PID" --db-procs postgres
    fi
    ;;
  answers)
    # The eight-question budget alone: four fields, then eight answers, at c=64, each on a fresh SQLite server.
    answered sqlite 3351
    # Figures printed and recorded; the README's table is left alone (a partial run would shorten it).
    exit 0
    ;;
  logins)
    for DB in "sqlite://$(tmpdir)/bench.db" "$(fresh_pg)"; do
      start 3341 "$DB"
      pids=(--server-pid "$PID")
      if [[ $DB == postgres* ]]; then pids+=(--db-procs postgres); fi
      step "$(backend_of "$DB"): 16 concurrent logins over 16 accounts, from one address"
      logins=()
      for i in $(seq 16); do logins+=(--email "login$i@firm.test"); done
      $LOADGEN logins --url http://127.0.0.1:3341 --concurrency 16 --count 256 "${logins[@]}" \
        --password "$ADMIN_PASSWORD" --backend "$(backend_of "$DB")" "${pids[@]}"
      two_step_logins http://127.0.0.1:3341 "$DB" "$(backend_of "$DB")" "${pids[@]}"
      kill "$PID"
      sleep 0.5
    done
    exit 0
    ;;
  *) echo "usage: scripts/bench.sh [quick|sqlite|postgres|two|all|answers|logins] [seconds]"; exit 2 ;;
esac
report "$@"
