#!/usr/bin/env bash
# Job queue benchmark: the time from enqueuing a job to a worker starting it, and how many
# jobs per second the workers finish. It builds the release server and the load driver
# (backend/examples/job_bench.rs), creates a fresh database, starts `ipsolis worker` on the
# `default` queue, and runs the driver, which enqueues `bench.noop` jobs and prints markdown
# tables. The worker is stopped on exit. The job queue results of docs/benchmarks.md come from
# this script.
#
#   bash e2e/bench/jobs.sh
#
# Expects PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379.
#
# Environment (defaults in brackets):
#   BENCH_JOBS_DB [ipsolis_bench_jobs]  database, dropped and created again at each run
#   BENCH_ADMIN_DATABASE_URL [postgres://postgres@127.0.0.1:5432/postgres]
#   BENCH_DIR [.bench]               logs and results
#   BENCH_WORKER_CONCURRENCY [4]     jobs the worker process runs at once (--concurrency)
#   BENCH_SKIP_BUILD [0]             1 uses the release binaries that are already built
#   RUST_LOG [info]                  the worker's log level; info logs two lines per job
# and the driver's settings: BENCH_LATENCY_JOBS [500], BENCH_GAP_MS [50],
# BENCH_THROUGHPUT_JOBS [10000], BENCH_WAIT_SECONDS [300].
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
DB_NAME=${BENCH_JOBS_DB:-ipsolis_bench_jobs}
ADMIN_DB_URL=${BENCH_ADMIN_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
BENCH_DIR=$(mkdir -p "${BENCH_DIR:-$ROOT/.bench}" && cd "${BENCH_DIR:-$ROOT/.bench}" && pwd)
CONCURRENCY=${BENCH_WORKER_CONCURRENCY:-4}

log() { echo "[bench] $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

[[ $DB_NAME =~ ^[a-z_][a-z0-9_]*$ ]] || die "invalid BENCH_JOBS_DB \"$DB_NAME\": use lower-case letters, digits and _"
for tool in psql cargo; do
  command -v "$tool" >/dev/null || die "$tool not found; run: bash e2e/scripts/install.sh"
done

TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET_DIR/release/ipsolis
DRIVER=$TARGET_DIR/release/examples/job_bench
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  log "building the release server and the load driver"
  cargo build --release -p ipsolis-backend --bin ipsolis --example job_bench
fi
[ -x "$BIN" ] || die "$BIN not found; build it with cargo build --release -p ipsolis-backend"
[ -x "$DRIVER" ] || die "$DRIVER not found; build it with cargo build --release -p ipsolis-backend --example job_bench"

umask 077
WORKER_PID=
stop_worker() {
  local status=$?
  if [ -n "$WORKER_PID" ] && kill -0 "$WORKER_PID" 2>/dev/null; then
    log "stopping the worker (pid $WORKER_PID)"
    kill "$WORKER_PID" 2>/dev/null || true
    wait "$WORKER_PID" 2>/dev/null || true
  fi
  exit "$status"
}
trap stop_worker EXIT
trap 'exit 130' INT TERM

export DATABASE_URL="${ADMIN_DB_URL%/*}/$DB_NAME"
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
export REDIS_PREFIX="ipsolis-bench-jobs:"
export RUST_LOG=${RUST_LOG:-info}
API_SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export API_SECRET_KEY

log "creating the database $DB_NAME"
psql "$ADMIN_DB_URL" -v ON_ERROR_STOP=1 -qc "drop database if exists $DB_NAME with (force)" >/dev/null
psql "$ADMIN_DB_URL" -v ON_ERROR_STOP=1 -qc "create database $DB_NAME" >/dev/null
"$BIN" migrate >"$BENCH_DIR/jobs-migrate.log" 2>&1 || die "ipsolis migrate failed; see $BENCH_DIR/jobs-migrate.log"

log "starting ipsolis worker --queues default --concurrency $CONCURRENCY (log in $BENCH_DIR/jobs-worker.log)"
"$BIN" worker --queues default --concurrency "$CONCURRENCY" >"$BENCH_DIR/jobs-worker.log" 2>&1 &
WORKER_PID=$!
for _ in $(seq 100); do
  grep -q "workers started" "$BENCH_DIR/jobs-worker.log" && break
  kill -0 "$WORKER_PID" 2>/dev/null || die "the worker exited; see $BENCH_DIR/jobs-worker.log"
  sleep 0.1
done
grep -q "workers started" "$BENCH_DIR/jobs-worker.log" || die "the worker did not start within 10 s"
# The worker's LISTEN connection opens just after the start message.
sleep 1

"$DRIVER" | tee "$BENCH_DIR/jobs-results.md"
log "results written to $BENCH_DIR/jobs-results.md"
