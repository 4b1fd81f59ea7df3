#!/usr/bin/env bash
# Load benchmark of the orders list and order creation against a release build with 100,000
# assets and 1,000,000 orders. It builds the server, creates a fresh database, starts the test
# services and the server on 127.0.0.1, seeds the installation and the bulk data, runs the
# load driver (e2e/bench/load.mjs) and prints its markdown tables. Everything it starts is
# stopped on exit. The results of docs/benchmarks.md come from this script.
#
#   bash e2e/bench/run.sh
#
# Expects PostgreSQL on 127.0.0.1:5432 (user postgres, trust), Redis on 127.0.0.1:6379, and
# the tools of e2e/scripts/install.sh (slapd, node, e2e/node_modules).
#
# Environment (defaults in brackets):
#   BENCH_PORT [18082]      port of the server on 127.0.0.1
#   BENCH_DB [ipsolis_bench]  database, dropped and created again at each run
#   BENCH_ADMIN_DATABASE_URL [postgres://postgres@127.0.0.1:5432/postgres]
#   BENCH_DIR [.bench]      state: services, logs, seed file and results
#   LDAP_PORT [3893] SMTP_PORT [1028] MAIL_WEB_PORT [1083] OIDC_PORT [9093]  test services
#   BENCH_ASSETS [100000] BENCH_ORDERS [1000000] BENCH_REQUESTERS [5000]  seeded rows
#   BENCH_SKIP_BUILD [0]    1 uses the release binary that is already built
#   BENCH_KEEP_DB [0]       1 keeps the database of an earlier run with the same sizes, orders
#                           created by that run included; for trying changes, not for results
# and the load driver's settings: BENCH_LIST_CONCURRENCY [1,8,32], BENCH_LIST_SECONDS [20],
# BENCH_LIST_PAGES [5], BENCH_CREATE_CONCURRENCY [8,16], BENCH_CREATE_SECONDS [30],
# BENCH_PEOPLE [24], BENCH_DRAIN_SECONDS [300].
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
PORT=${BENCH_PORT:-18082}
DB_NAME=${BENCH_DB:-ipsolis_bench}
ADMIN_DB_URL=${BENCH_ADMIN_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
BENCH_DIR=$(mkdir -p "${BENCH_DIR:-$ROOT/.bench}" && cd "${BENCH_DIR:-$ROOT/.bench}" && pwd)
export LDAP_PORT=${LDAP_PORT:-3893}
export SMTP_PORT=${SMTP_PORT:-1028}
export MAIL_WEB_PORT=${MAIL_WEB_PORT:-1083}
export OIDC_PORT=${OIDC_PORT:-9093}
export OIDC_ISSUER="http://127.0.0.1:$OIDC_PORT"
export OIDC_REDIRECT_URIS="http://127.0.0.1:$PORT/api/v1/portal/auth/callback"
ASSETS=${BENCH_ASSETS:-100000}
ORDERS=${BENCH_ORDERS:-1000000}
REQUESTERS=${BENCH_REQUESTERS:-5000}

log() { echo "[bench] $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

[[ $DB_NAME =~ ^[a-z_][a-z0-9_]*$ ]] || die "invalid BENCH_DB \"$DB_NAME\": use lower-case letters, digits and _"
for tool in psql node curl cargo; do
  command -v "$tool" >/dev/null || die "$tool not found; run: bash e2e/scripts/install.sh"
done
[ -d e2e/node_modules/playwright-core ] || die "e2e/node_modules is missing; run: bash e2e/scripts/install.sh"

TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET_DIR/release/ipsolis
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  log "building the release server (the first build takes 10 to 20 minutes on two cores)"
  cargo build --release -p ipsolis-backend
fi
[ -x "$BIN" ] || die "$BIN not found; build it with cargo build --release -p ipsolis-backend"

umask 077
SERVER_PID=
stop_all() {
  local status=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    log "stopping the server (pid $SERVER_PID)"
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  bash e2e/scripts/services.sh stop "$BENCH_DIR/services" 2>>"$BENCH_DIR/services.log" || true
  exit "$status"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

log "starting the test services (logs in $BENCH_DIR/services)"
bash e2e/scripts/services.sh start "$BENCH_DIR/services" >"$BENCH_DIR/services.env" 2>>"$BENCH_DIR/services.log" \
  || die "the test services did not start; see $BENCH_DIR/services.log"
set -a
# shellcheck disable=SC1091
. "$BENCH_DIR/services.env"
set +a

export DATABASE_URL="${ADMIN_DB_URL%/*}/$DB_NAME"
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
export REDIS_PREFIX="ipsolis-bench:"
export IPSOLIS_BIND="127.0.0.1:$PORT"
export IPSOLIS_PUBLIC_URL="http://127.0.0.1:$PORT"
export IPSOLIS_SPA_DIR="$BENCH_DIR/no-spa"
export RUST_LOG=${RUST_LOG:-info,sqlx=warn,tower_http=warn}
[ -s "$BENCH_DIR/secret" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$BENCH_DIR/secret"
API_SECRET_KEY=$(cat "$BENCH_DIR/secret")
export API_SECRET_KEY
export BENCH_ADMIN_USER=bench-admin
[ -s "$BENCH_DIR/admin-password" ] || echo "bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$BENCH_DIR/admin-password"
BENCH_ADMIN_PASSWORD=$(cat "$BENCH_DIR/admin-password")
export BENCH_ADMIN_PASSWORD

SIZES="$DB_NAME: $ASSETS assets, $ORDERS orders, $REQUESTERS requesters"
if [ "${BENCH_KEEP_DB:-0}" = 1 ] && [ "$(cat "$BENCH_DIR/seeded" 2>/dev/null)" = "$SIZES" ]; then
  log "keeping the database seeded by an earlier run ($SIZES)"
else
  rm -f "$BENCH_DIR/seeded"
  log "creating the database $DB_NAME"
  psql "$ADMIN_DB_URL" -v ON_ERROR_STOP=1 -qc "drop database if exists $DB_NAME with (force)" >/dev/null
  psql "$ADMIN_DB_URL" -v ON_ERROR_STOP=1 -qc "create database $DB_NAME" >/dev/null

  log "setting up the installation: admin, directory, mail, sign-in, asset definitions"
  node e2e/bench/seed_file.mjs >"$BENCH_DIR/seed.json"
  "$BIN" migrate >>"$BENCH_DIR/seed.log" 2>&1 || die "ipsolis migrate failed; see $BENCH_DIR/seed.log"
  "$BIN" seed "$BENCH_DIR/seed.json" >>"$BENCH_DIR/seed.log" 2>&1 || die "ipsolis seed failed; see $BENCH_DIR/seed.log"

  log "seeding $ASSETS assets, $ORDERS orders and $REQUESTERS requesters (several minutes)"
  started=$SECONDS
  psql "$DATABASE_URL" -q -v requesters="$REQUESTERS" -v assets="$ASSETS" -v orders="$ORDERS" \
    -v issuer="$OIDC_ISSUER" -v base_dn="$LDAP_BASE_DN" -f e2e/bench/seed.sql >"$BENCH_DIR/seed-sql.log" 2>&1 \
    || die "seeding failed; see $BENCH_DIR/seed-sql.log"
  echo "$SIZES" >"$BENCH_DIR/seeded"
  log "seeded in $((SECONDS - started)) s; $(psql "$DATABASE_URL" -Atc "select pg_size_pretty(pg_database_size(current_database()))") on disk"
fi

log "starting the server on http://127.0.0.1:$PORT (log in $BENCH_DIR/server.log)"
"$BIN" serve >"$BENCH_DIR/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 300); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/health" && break
  kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited; see $BENCH_DIR/server.log"
  sleep 0.2
done
curl -sf -o /dev/null "http://127.0.0.1:$PORT/health" || die "the server did not answer /health within 60 s"

BENCH_URL="http://127.0.0.1:$PORT" BENCH_SERVER_PID=$SERVER_PID BENCH_RESULTS="$BENCH_DIR/results.md" \
  node e2e/bench/load.mjs
log "results written to $BENCH_DIR/results.md and $BENCH_DIR/results.json"
