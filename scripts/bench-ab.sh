#!/usr/bin/env bash
# Interleaved A/B of two release builds: runs one scenario against each in
# turn, ROUNDS times, each on a fresh database, so that the machine's drift
# between runs (large on a shared 2-core machine) falls on both alike.
#
# Usage: scripts/bench-ab.sh A_BIN A_SITE B_BIN B_SITE MODE [ROUNDS]
#   A_BIN/B_BIN: two `intake` binaries (e.g. copies of target/release/intake
#   built from two commits); A_SITE/B_SITE: their site directories.
#   MODE: sqlite-submit | pg-submit (c=64) | sqlite-list | pg-list (100,000
#   leads; list and SSR /leads at c=16). Uses target/release/loadgen and seed
#   (`cargo build --release -p intake-bench`, which `scripts/bench.sh` runs).
#   PostgreSQL: BENCH_POSTGRES_URL.
set -u
A_BIN=$1 A_SITE=$2 B_BIN=$3 B_SITE=$4 MODE=$5 ROUNDS=${6:-3}
SHARED="${BENCH_SHARED:-$(dirname "$0")/../../shared/bench}"
PG="${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
LOADGEN=target/release/loadgen
SEED=target/release/seed
AUTH=(--email bench@firm.test --password 'bench password 123')

run() { # run BIN SITE LABEL
  local bin=$1 site=$2 label=$3 dir db pid
  dir=$(mktemp -d)
  if [[ $MODE == pg-* ]]; then
    local name="intake_ab_$(date +%s%N)"
    psql -q -d "$PG" -c "CREATE DATABASE $name" >/dev/null
    db="${PG%/*}/$name"
  else
    db="sqlite://$dir/ab.db"
  fi
  DATABASE_URL=$db INTAKE_DATA_DIR=$dir LEPTOS_SITE_ADDR=127.0.0.1:3399 LEPTOS_SITE_ROOT=$site INTAKE_SUBMIT_RATE=0 \
    INTAKE_ADMIN_EMAIL=bench@firm.test INTAKE_ADMIN_PASSWORD='bench password 123' INTAKE_NOTIFY_EMAIL=a@firm.test \
    RUST_LOG=warn "$bin" >"$dir/log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:3399/healthz >/dev/null && break; sleep 0.1; done
  local pids=(--server-pid "$pid")
  [[ $MODE == pg-* ]] && pids+=(--db-procs postgres)
  case $MODE in
    *-submit)
      $LOADGEN wrk --url http://127.0.0.1:3399 --concurrency 64 --seconds 10 --script "$SHARED/wrk_create.lua" \
        --pdf target/bench/cv50k.pdf "${pids[@]}" ;;
    *-list)
      $SEED "$db" 100000 >/dev/null
      sleep 3
      $LOADGEN list --url http://127.0.0.1:3399 --concurrency 16 --seconds 10 "${AUTH[@]}" "${pids[@]}"
      $LOADGEN page --url http://127.0.0.1:3399 --concurrency 16 --seconds 10 "${AUTH[@]}" "${pids[@]}" ;;
  esac 2>&1 | sed "s/^/$label /"
  kill "$pid"
  wait "$pid" 2>/dev/null
  rm -rf "$dir"
  if [[ $MODE == pg-* ]]; then psql -q -d "$PG" -c "DROP DATABASE ${db##*/} WITH (FORCE)" >/dev/null; fi
}

for _ in $(seq "$ROUNDS"); do
  run "$A_BIN" "$A_SITE" A
  run "$B_BIN" "$B_SITE" B
done
