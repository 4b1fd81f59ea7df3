#!/usr/bin/env bash
# Runs the whole ip·Solis test suite on this machine:
#   format and lint checks, unit and integration tests against a real directory (slapd), mail
#   capture (maildev), OpenID Connect provider, PostgreSQL and Redis, the SPA release build,
#   and the browser tests in headless Chromium.
#
#   bash e2e/test.sh
#
# Installs missing tools first (e2e/scripts/install.sh). Expects PostgreSQL on
# 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379. The test services use
# their own ports, so the demo can run beside it: LDAP 3891, SMTP 1026, mail web 1081,
# OIDC 9091, the browser tests' app on 18080 (and 18081 for a second replica) and nginx on
# 18443 (HTTPS) and 18444 (HTTP), changed with TEST_LDAP_PORT, TEST_SMTP_PORT,
# TEST_MAIL_WEB_PORT, TEST_OIDC_PORT, E2E_APP_PORT and E2E_PROXY_PORT. Each integration test creates a database named ipsolis_t_*; the run
# drops those of earlier runs first.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
started=$SECONDS
step() { echo; echo "==> $* ($((SECONDS - started)) s)"; }

step "install missing tools"
bash e2e/scripts/install.sh
export PATH="$HOME/.cargo/bin:$ROOT/e2e/node_modules/.bin:$PATH"
export RUST_BACKTRACE=0

SERVICES_DIR=$ROOT/.services/test
mkdir -p "$SERVICES_DIR"
IPSOLIS_TEST_RUN=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
export IPSOLIS_TEST_RUN
export TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
cleanup() {
  bash e2e/scripts/services.sh stop "$SERVICES_DIR" >/dev/null 2>&1 || true
  psql "$TEST_DATABASE_URL" -Atc "select datname from pg_database
      where datname like 'ipsolis\_t\_${IPSOLIS_TEST_RUN}\_%' or datname = 'ipsolis_e2e_${IPSOLIS_TEST_RUN}'" 2>/dev/null |
    while read -r db; do psql "$TEST_DATABASE_URL" -qc "drop database if exists \"$db\" with (force)" >/dev/null 2>&1; done
}
trap cleanup EXIT

step "start test services"
export E2E_APP_PORT=${E2E_APP_PORT:-18080}
E2E_PROXY_PORT=${E2E_PROXY_PORT:-18443}
LDAP_PORT=${TEST_LDAP_PORT:-3891} SMTP_PORT=${TEST_SMTP_PORT:-1026} \
  MAIL_WEB_PORT=${TEST_MAIL_WEB_PORT:-1081} OIDC_PORT=${TEST_OIDC_PORT:-9091} \
  OIDC_REDIRECT_URIS="http://127.0.0.1:$E2E_APP_PORT/api/v1/portal/auth/callback,https://127.0.0.1:$E2E_PROXY_PORT/api/v1/portal/auth/callback" \
  bash e2e/scripts/services.sh start "$SERVICES_DIR" >"$SERVICES_DIR.env"
set -a
# shellcheck disable=SC1090
. "$SERVICES_DIR.env"
set +a
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}

step "cargo fmt --check"
cargo fmt --all -- --check

step "deployment files (compose config, documented variables)"
bash e2e/scripts/check_deploy.sh

step "cargo clippy (server and shared)"
cargo clippy --all-targets -- -D warnings

step "cargo clippy (SPA, wasm32)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "cargo test (unit and integration)"
cargo test

step "cargo test (SPA logic on the host)"
cargo test -p frontend

step "trunk build --release"
trunk build --release

step "browser tests"
cargo build -p ipsolis-backend
(cd e2e && node --test --test-concurrency=1 browser/)

step "two replicas behind nginx with TLS"
(cd e2e && E2E_APP_URL="https://127.0.0.1:$E2E_PROXY_PORT" E2E_PROXY_HTTP_PORT=$((E2E_PROXY_PORT + 1)) \
  node --test --test-concurrency=1 proxy/)

step "all tests passed"
