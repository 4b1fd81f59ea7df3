#!/usr/bin/env bash
# Installs what is missing, builds ip·Solis, and starts a demo installation on 127.0.0.1:
# a directory (slapd) with a sample organisation, an OpenID Connect provider whose users are
# the same people, a mail catcher with a web page, and the server preconfigured for them.
#
#   bash e2e/demo.sh          # Ctrl-C stops the server and every service it started
#
# Expects PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379.
# State (database ipsolis_demo, directory data, mail, secrets) is kept between runs;
# DEMO_RESET=1 starts from scratch.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
DEMO=$ROOT/.demo
PORT=${DEMO_PORT:-8080}
PUBLIC_URL="http://127.0.0.1:$PORT"
ADMIN_DB_URL=${DEMO_ADMIN_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DB_NAME=ipsolis_demo

bash e2e/scripts/install.sh
export PATH="$HOME/.cargo/bin:$ROOT/e2e/node_modules/.bin:$PATH"

echo "[demo] building the server and the web app (the first build takes several minutes)"
cargo build -p ipsolis-backend
trunk build --release

if [ "${DEMO_RESET:-0}" = 1 ]; then
  bash e2e/scripts/services.sh stop "$DEMO/services" >/dev/null 2>&1 || true
  rm -rf "$DEMO"
  psql "$ADMIN_DB_URL" -qc "drop database if exists $DB_NAME" >/dev/null
fi
# The demo's secret key and admin password are readable by this user only.
umask 077
mkdir -p "$DEMO"

stop_all() {
  echo "[demo] stopping the services"
  bash e2e/scripts/services.sh stop "$DEMO/services" >/dev/null 2>&1 || true
}
trap stop_all EXIT

OIDC_REDIRECT_URIS="$PUBLIC_URL/api/v1/portal/auth/callback" \
  bash e2e/scripts/services.sh start "$DEMO/services" >"$DEMO/services.env"
set -a
# shellcheck disable=SC1091
. "$DEMO/services.env"
set +a

if ! psql "$ADMIN_DB_URL" -Atc "select 1 from pg_database where datname = '$DB_NAME'" | grep -q 1; then
  psql "$ADMIN_DB_URL" -qc "create database $DB_NAME" >/dev/null
fi
[ -s "$DEMO/secret" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DEMO/secret"
[ -s "$DEMO/admin-password" ] || echo "demo-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$DEMO/admin-password"
ADMIN_PASSWORD=$(cat "$DEMO/admin-password")

export DATABASE_URL="${ADMIN_DB_URL%/*}/$DB_NAME"
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
export REDIS_PREFIX="ipsolis-demo:"
export API_SECRET_KEY
API_SECRET_KEY=$(cat "$DEMO/secret")
export IPSOLIS_BIND="127.0.0.1:$PORT"
export IPSOLIS_PUBLIC_URL="$PUBLIC_URL"
export IPSOLIS_SPA_DIR="$ROOT/frontend/dist"
# The demo checks for expired access every minute; the default is hourly.
export IPSOLIS_EXPIRY_CHECK_CRON="0 * * * * *"

LDAP_HOST_PORT=${LDAP_URL#ldap://}
cat >"$DEMO/seed.json" <<JSON
{
  "admins": [{ "username": "admin", "password": "$ADMIN_PASSWORD", "role": "superadmin" }],
  "ldap": {
    "host": "${LDAP_HOST_PORT%:*}", "port": ${LDAP_HOST_PORT##*:}, "tls": "none",
    "bind_dn": "$LDAP_BIND_DN", "bind_password": "$LDAP_BIND_PASSWORD",
    "base_dn": "$LDAP_BASE_DN", "manager_attribute": "manager"
  },
  "smtp": { "host": "$SMTP_HOST", "port": $SMTP_PORT, "tls": "none", "from": "ip·Solis <ipsolis@example.test>" },
  "oidc": {
    "enabled": true, "issuer_url": "$OIDC_ISSUER", "client_id": "$OIDC_CLIENT_ID",
    "client_secret": "$OIDC_CLIENT_SECRET", "allowed_email_domains": ["example.test"]
  },
  "asset_definitions": [{
    "name": "Finance app access",
    "description": "Membership of the Finance App Access group, which opens the finance application.",
    "category": "Applications", "strategy": "group_access",
    "group_dns": ["cn=Finance App Access,ou=Groups,dc=example,dc=test"],
    "approval": { "manager": {} }, "default_duration_days": 30, "max_duration_days": 90,
    "justification": "required"
  }]
}
JSON
IPSOLIS_BIN=${CARGO_TARGET_DIR:-$ROOT/target}/debug/ipsolis
"$IPSOLIS_BIN" seed "$DEMO/seed.json"

cat <<TEXT

  ip·Solis demo
  -------------
  Admin SPA        $PUBLIC_URL/ui/        admin / $ADMIN_PASSWORD
  Portal           $PUBLIC_URL/portal/    employee jdoe / JaneDoe-demo-1
                                              her manager mfinch / MarthaFinch-demo-1
                                              zmueller / ZoeMuller-demo-1 (comma, plus and umlauts in her DN)
  Mail catcher     $MAIL_WEB   (approval links arrive here)
  API docs         $PUBLIC_URL/api/docs/
  Health           $PUBLIC_URL/health

  The admin password is kept in .demo/admin-password. All people and passwords:
  e2e/services/people.json. Press Ctrl-C to stop everything.

TEXT

"$IPSOLIS_BIN" serve
