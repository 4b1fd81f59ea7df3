#!/usr/bin/env bash
# Server benchmark: start-up time, memory at rest and under load, GET /health and an
# authenticated list endpoint under load with wrk, and the web app's compressed size and time
# to first render in headless Chromium. It builds the release server and web app, creates a
# fresh database, runs e2e/bench/server.mjs and prints its markdown
# tables, also written to .bench/server.md. docs/benchmarks.md records the results.
#
#   bash e2e/bench/server.sh
#
# Expects PostgreSQL on 127.0.0.1:5432 (user postgres, trust), Redis on 127.0.0.1:6379, wrk
# (apt-get install wrk) and the tools of e2e/scripts/install.sh (trunk, node, Chromium,
# e2e/node_modules). No test service is needed: the settings point at closed ports and the
# measured routes do not use them.
#
# Environment (defaults in brackets):
#   BENCH_PORT [18085]  BENCH_DB [ipsolis_bench_server]  BENCH_DIR [.bench]
#   BENCH_ADMIN_DATABASE_URL [postgres://postgres@127.0.0.1:5432/postgres]
#   BENCH_SKIP_BUILD [0]  1 uses the release server and web app already built
# and the driver's: BENCH_CONCURRENCY [1,16,64] BENCH_SECONDS [15] BENCH_STARTS [3] BENCH_RENDERS [5].
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
PORT=${BENCH_PORT:-18085}
DB_NAME=${BENCH_DB:-ipsolis_bench_server}
ADMIN_DB_URL=${BENCH_ADMIN_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
BENCH_DIR=$(mkdir -p "${BENCH_DIR:-$ROOT/.bench}" && cd "${BENCH_DIR:-$ROOT/.bench}" && pwd)

log() { echo "[bench] $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

[[ $DB_NAME =~ ^[a-z_][a-z0-9_]*$ ]] || die "invalid BENCH_DB \"$DB_NAME\": use lower-case letters, digits and _"
for tool in psql node wrk cargo; do
  command -v "$tool" >/dev/null || die "$tool not found; install wrk with apt-get install wrk and the rest with bash e2e/scripts/install.sh"
done
export PATH="$HOME/.cargo/bin:$ROOT/e2e/node_modules/.bin:$PATH"

TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET_DIR/release/ipsolis
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  log "building the release server and web app"
  cargo build --release -p ipsolis-backend
  trunk build --release
fi
[ -x "$BIN" ] || die "$BIN not found; build it with cargo build --release -p ipsolis-backend"
[ -f frontend/dist/index.html ] || die "frontend/dist not found; build it with trunk build --release"

umask 077
log "creating the database $DB_NAME"
psql "$ADMIN_DB_URL" -v ON_ERROR_STOP=1 -qc "drop database if exists $DB_NAME with (force)" >/dev/null
psql "$ADMIN_DB_URL" -v ON_ERROR_STOP=1 -qc "create database $DB_NAME" >/dev/null

export DATABASE_URL="${ADMIN_DB_URL%/*}/$DB_NAME"
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
export REDIS_PREFIX="ipsolis-bench-server:"
export IPSOLIS_BIND="127.0.0.1:$PORT"
export IPSOLIS_PUBLIC_URL="http://127.0.0.1:$PORT"
export IPSOLIS_SPA_DIR="$ROOT/frontend/dist"
export RUST_LOG=${RUST_LOG:-warn}
API_SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export API_SECRET_KEY
export BENCH_ADMIN_USER=bench-admin
BENCH_ADMIN_PASSWORD="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export BENCH_ADMIN_PASSWORD

log "writing the seed file: admin and asset definitions"
# The settings of the seed file point at closed ports; no measured route connects to them.
LDAP_URL=ldap://127.0.0.1:9 LDAP_BIND_DN=cn=none LDAP_BIND_PASSWORD=none LDAP_BASE_DN=dc=example,dc=test \
  SMTP_HOST=127.0.0.1 SMTP_PORT=9 OIDC_ISSUER=http://127.0.0.1:9 OIDC_CLIENT_ID=none OIDC_CLIENT_SECRET=none-secret \
  node e2e/bench/seed_file.mjs >"$BENCH_DIR/server-seed.json"
BENCH_BIN=$BIN BENCH_URL="http://127.0.0.1:$PORT" BENCH_SPA_DIR="$ROOT/frontend/dist" \
  BENCH_RESULTS="$BENCH_DIR/server.md" BENCH_LOG="$BENCH_DIR/server.log" BENCH_SEED="$BENCH_DIR/server-seed.json" \
  node e2e/bench/server.mjs
log "results written to $BENCH_DIR/server.md and $BENCH_DIR/server.json"
