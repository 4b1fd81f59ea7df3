#!/usr/bin/env bash
# Starts or stops the local test services on 127.0.0.1, without systemd:
#   slapd    LDAP directory with the sample organisation from e2e/services/people.json
#   maildev  SMTP sink with a web UI and a REST API for reading the mail
#   oidc     OpenID Connect provider (e2e/services/oidc.mjs) whose accounts are the same people
#
#   bash e2e/scripts/services.sh start DIR   # prints `export` lines on stdout, logs on stderr
#   bash e2e/scripts/services.sh stop DIR
#
#   eval "$(bash e2e/scripts/services.sh start .services)"
#
# DIR holds the pid files, logs, LDAP database and stored mail of one instance. `start` is
# idempotent per DIR. Two instances with different DIRs and ports can run at the same time.
# The LDAP data is loaded on the first start and kept across stop/start, so changes made
# through the application survive. It is reloaded when people.json, ldif.mjs or
# ad-lite.schema change, or when LDAP_RESET=1.
#
# Environment (defaults in brackets):
#   LDAP_PORT [3890]  LDAP_ADMIN_PASSWORD [ldap-admin-pw]  LDAP_RESET [0]
#   LDAP_LOG_LEVEL [stats]    slapd -d level, e.g. "stats" (connections and operations) or "none"
#   SMTP_PORT [1025]  MAIL_WEB_PORT [1080]
#   OIDC_PORT [9090]  OIDC_ISSUER [http://127.0.0.1:$OIDC_PORT]
#   OIDC_CLIENT_ID [ipsolis]  OIDC_CLIENT_SECRET [ipsolis-demo-secret]
#   OIDC_REDIRECT_URIS [http://127.0.0.1:8080/api/v1/portal/auth/callback]  comma separated
#   SERVICE_START_TIMEOUT [30]  seconds to wait for each service to answer
#
# Needs slapd, ldap-utils, curl, node and e2e/node_modules (bash e2e/scripts/install.sh).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
E2E_DIR=$REPO_ROOT/e2e
SERVICES_DIR=$E2E_DIR/services

LDAP_PORT=${LDAP_PORT:-3890}
LDAP_ADMIN_PASSWORD=${LDAP_ADMIN_PASSWORD:-ldap-admin-pw}
LDAP_RESET=${LDAP_RESET:-0}
LDAP_LOG_LEVEL=${LDAP_LOG_LEVEL:-stats}
SMTP_PORT=${SMTP_PORT:-1025}
MAIL_WEB_PORT=${MAIL_WEB_PORT:-1080}
OIDC_PORT=${OIDC_PORT:-9090}
OIDC_ISSUER=${OIDC_ISSUER:-http://127.0.0.1:$OIDC_PORT}
OIDC_CLIENT_ID=${OIDC_CLIENT_ID:-ipsolis}
OIDC_CLIENT_SECRET=${OIDC_CLIENT_SECRET:-ipsolis-demo-secret}
OIDC_REDIRECT_URIS=${OIDC_REDIRECT_URIS:-http://127.0.0.1:8080/api/v1/portal/auth/callback}
SERVICE_START_TIMEOUT=${SERVICE_START_TIMEOUT:-30}

log() { echo "[services] $*" >&2; }
die() {
  log "error: $*"
  exit 1
}
usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}

# ---- helpers -----------------------------------------------------------------------------------

# Succeeds when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints the pid recorded for service NAME when that process is still running and its command
# line contains MARKER, so that a pid reused by an unrelated process is never treated as ours.
running_pid() {
  local name=$1 marker=$2 pid
  [ -f "$DIR/$name.pid" ] || return 1
  pid=$(cat "$DIR/$name.pid")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker" || return 1
  echo "$pid"
}

# Fails with a clear message when PORT (configured by VARIABLE) is in use by another process.
require_free_port() {
  local port=$1 variable=$2 what=$3
  if port_open "$port"; then
    die "port $port ($what) on 127.0.0.1 is already in use by another process; stop it or set $variable to a free port"
  fi
}

# Checks that a service already running from DIR uses the requested port.
require_same_port() {
  local name=$1 port=$2 variable=$3 recorded
  recorded=$(cat "$DIR/$name.port" 2>/dev/null || true)
  if [ "$recorded" != "$port" ]; then
    die "$name from $DIR is already running on port ${recorded:-unknown}, not $port; run '$0 stop $DIR' first or set $variable=$recorded"
  fi
}

# Waits until PROBE succeeds, failing early when process PID exits.
wait_for() {
  local name=$1 pid=$2 log_file=$3
  shift 3
  local deadline=$((SECONDS + SERVICE_START_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$name exited during start; last lines of $log_file:"
      tail -n 15 "$log_file" >&2 || true
      return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      log "$name did not answer within ${SERVICE_START_TIMEOUT}s; last lines of $log_file:"
      tail -n 15 "$log_file" >&2 || true
      return 1
    fi
    sleep 0.2
  done
}

# Starts COMMAND in the background with its output in DIR/NAME.log and records its real pid.
# nohup execs the command, so $! is the service itself, not a wrapper shell. The service must
# not inherit fd 9, which holds the DIR lock.
launch() {
  local name=$1
  shift
  (
    cd "$E2E_DIR" || exit 1
    nohup "$@" >>"$DIR/$name.log" 2>&1 </dev/null 9>&- &
    echo $! >"$DIR/$name.pid"
  )
  cat "$DIR/$name.pid"
}

stop_service() {
  local name=$1 marker=$2 pid
  if ! pid=$(running_pid "$name" "$marker"); then
    rm -f "$DIR/$name.pid"
    return 0
  fi
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name (pid $pid) did not stop within 5s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$DIR/$name.pid"
  log "stopped $name (pid $pid)"
}

quote() {
  local value=$1
  printf "'%s'" "${value//\'/\'\\\'\'}"
}

# ---- slapd -------------------------------------------------------------------------------------

slapd_marker() { echo "$DIR/ldap/slapd.conf"; }

write_slapd_conf() {
  local ldap_dir=$1 root_hash=$2
  cat >"$ldap_dir/slapd.conf" <<EOF
# Generated by e2e/scripts/services.sh on every start.
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include $SERVICES_DIR/ad-lite.schema

argsfile $ldap_dir/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
moduleload refint

database mdb
suffix "$BASE_DN"
rootdn "$ADMIN_DN"
rootpw $root_hash
directory $ldap_dir/db
maxsize 104857600
index objectClass,cn,sAMAccountName,userPrincipalName,mail eq
index member,manager eq

# The root DSE and schema stay readable so that clients can discover the server.
access to dn.base="" by * read
access to dn.base="cn=Subschema" by * read
# A disabled account (ACCOUNTDISABLE flag 2 in userAccountControl, as in AD) cannot bind.
access to filter="(userAccountControl:1.2.840.113556.1.4.803:=2)" attrs=userPassword
  by * none
access to attrs=userPassword
  by anonymous auth
  by * none
access to *
  by users read
  by * none

# memberOf is kept up to date on the members of every 'group' entry.
overlay memberof
memberof-group-oc group
memberof-member-ad member
memberof-memberof-ad memberOf
memberof-refint TRUE

# Deleting or renaming a person updates group members and the manager of their reports.
overlay refint
refint_attributes member manager
EOF
  chmod 600 "$ldap_dir/slapd.conf"
}

seed_hash() {
  cat "$SERVICES_DIR/people.json" "$SERVICES_DIR/ldif.mjs" "$SERVICES_DIR/ad-lite.schema" | sha256sum | cut -d' ' -f1
}

start_slapd() {
  local marker pid ldap_dir=$DIR/ldap url="ldap://127.0.0.1:$LDAP_PORT"
  marker=$(slapd_marker)
  if pid=$(running_pid slapd "$marker"); then
    require_same_port slapd "$LDAP_PORT" LDAP_PORT
    log "slapd already running (pid $pid) on $url"
    return 0
  fi

  mkdir -p "$ldap_dir/db"
  chmod 700 "$ldap_dir"
  # slappasswd and ldapadd read the password from this file, so it never shows in ps.
  printf '%s' "$LDAP_ADMIN_PASSWORD" >"$ldap_dir/admin.pw"
  chmod 600 "$ldap_dir/admin.pw"
  write_slapd_conf "$ldap_dir" "$(slappasswd -h '{SSHA}' -T "$ldap_dir/admin.pw")"
  slaptest -Q -u -f "$ldap_dir/slapd.conf" || die "invalid slapd configuration $ldap_dir/slapd.conf"

  local seed reload=1
  seed=$(seed_hash)
  if [ "$LDAP_RESET" != 1 ] && [ -f "$ldap_dir/db/data.mdb" ] \
    && [ "$(cat "$ldap_dir/seed.sha256" 2>/dev/null)" = "$seed" ]; then
    reload=0
  else
    rm -f "$ldap_dir/db/"*.mdb "$ldap_dir/seed.sha256"
  fi

  # -d keeps slapd in the foreground, so the recorded pid is slapd itself and its log goes to
  # the log file instead of syslog.
  pid=$(launch slapd /usr/sbin/slapd -d "$LDAP_LOG_LEVEL" -f "$ldap_dir/slapd.conf" -h "$url/")
  echo "$LDAP_PORT" >"$DIR/slapd.port"
  wait_for slapd "$pid" "$DIR/slapd.log" \
    ldapwhoami -x -H "$url" -D "$ADMIN_DN" -y "$ldap_dir/admin.pw" || die "slapd did not start"

  if [ $reload = 1 ]; then
    if ! node "$SERVICES_DIR/ldif.mjs" | ldapadd -x -H "$url" -D "$ADMIN_DN" -y "$ldap_dir/admin.pw" >"$ldap_dir/load.log" 2>&1; then
      tail -n 15 "$ldap_dir/load.log" >&2
      die "loading the sample organisation into slapd failed (full output in $ldap_dir/load.log)"
    fi
    echo "$seed" >"$ldap_dir/seed.sha256"
    log "slapd loaded the sample organisation from e2e/services/people.json"
  else
    log "slapd reuses the data in $ldap_dir/db (set LDAP_RESET=1 to reload people.json)"
  fi
  log "slapd running (pid $pid) on $url, base $BASE_DN"
}

# ---- maildev -----------------------------------------------------------------------------------

maildev_marker() { echo "$DIR/maildev"; }

start_maildev() {
  local marker pid api="http://127.0.0.1:$MAIL_WEB_PORT/api/email"
  marker=$(maildev_marker)
  if pid=$(running_pid maildev "$marker"); then
    require_same_port maildev "$SMTP_PORT/$MAIL_WEB_PORT" "SMTP_PORT/MAIL_WEB_PORT"
    log "maildev already running (pid $pid): SMTP 127.0.0.1:$SMTP_PORT, web http://127.0.0.1:$MAIL_WEB_PORT/"
    return 0
  fi

  mkdir -p "$DIR/maildev"
  pid=$(launch maildev node "$E2E_DIR/node_modules/maildev/dist/bin/maildev.js" \
    --smtp "$SMTP_PORT" --ip 127.0.0.1 --web "$MAIL_WEB_PORT" --web-ip 127.0.0.1 \
    --mail-directory "$DIR/maildev")
  echo "$SMTP_PORT/$MAIL_WEB_PORT" >"$DIR/maildev.port"
  wait_for maildev "$pid" "$DIR/maildev.log" curl -sf -o /dev/null "$api" || die "maildev did not start"
  wait_for maildev "$pid" "$DIR/maildev.log" port_open "$SMTP_PORT" || die "maildev SMTP did not start"
  log "maildev running (pid $pid): SMTP 127.0.0.1:$SMTP_PORT, web http://127.0.0.1:$MAIL_WEB_PORT/, API $api"
}

# ---- oidc --------------------------------------------------------------------------------------

oidc_marker() { echo "$SERVICES_DIR/oidc.mjs"; }

start_oidc() {
  local marker pid discovery="$OIDC_ISSUER/.well-known/openid-configuration"
  marker=$(oidc_marker)
  if pid=$(running_pid oidc "$marker"); then
    require_same_port oidc "$OIDC_PORT" OIDC_PORT
    log "oidc already running (pid $pid), issuer $OIDC_ISSUER"
    return 0
  fi
  case $OIDC_ISSUER in
    *":$OIDC_PORT" | *":$OIDC_PORT/") ;;
    *) log "warning: OIDC_ISSUER $OIDC_ISSUER does not end in port $OIDC_PORT; an exported OIDC_ISSUER from another instance may be set" ;;
  esac

  mkdir -p "$DIR/oidc"
  pid=$(launch oidc env OIDC_PORT="$OIDC_PORT" OIDC_ISSUER="$OIDC_ISSUER" \
    OIDC_CLIENT_ID="$OIDC_CLIENT_ID" OIDC_CLIENT_SECRET="$OIDC_CLIENT_SECRET" \
    OIDC_REDIRECT_URIS="$OIDC_REDIRECT_URIS" OIDC_JWKS_FILE="$DIR/oidc/jwks.json" \
    node "$SERVICES_DIR/oidc.mjs")
  echo "$OIDC_PORT" >"$DIR/oidc.port"
  # The probe uses the port, not the issuer, because the issuer host may be a name that only
  # the application resolves.
  wait_for oidc "$pid" "$DIR/oidc.log" \
    curl -sf -o /dev/null "http://127.0.0.1:$OIDC_PORT/.well-known/openid-configuration" || die "oidc did not start"
  log "oidc running (pid $pid), issuer $OIDC_ISSUER, discovery $discovery"
}

# ---- commands ----------------------------------------------------------------------------------

check_requirements() {
  local tool
  for tool in node curl ldapadd ldapwhoami slappasswd slaptest; do
    command -v "$tool" >/dev/null || die "$tool not found; run: bash e2e/scripts/install.sh"
  done
  [ -x /usr/sbin/slapd ] || die "/usr/sbin/slapd not found; run: bash e2e/scripts/install.sh"
  [ -d "$E2E_DIR/node_modules/maildev" ] && [ -d "$E2E_DIR/node_modules/oidc-provider" ] \
    || die "npm packages missing in $E2E_DIR/node_modules; run: bash e2e/scripts/install.sh"
}

# Checks the ports of every service that is not yet running before anything starts, so that a
# taken port does not leave half of the services running.
check_ports() {
  local ports
  ports=$(printf '%s\n' "$LDAP_PORT" "$SMTP_PORT" "$MAIL_WEB_PORT" "$OIDC_PORT")
  if [ "$(sort -u <<<"$ports" | wc -l)" != 4 ]; then
    die "LDAP_PORT, SMTP_PORT, MAIL_WEB_PORT and OIDC_PORT must differ (got $LDAP_PORT, $SMTP_PORT, $MAIL_WEB_PORT, $OIDC_PORT)"
  fi
  if ! running_pid slapd "$(slapd_marker)" >/dev/null; then
    require_free_port "$LDAP_PORT" LDAP_PORT "LDAP"
  fi
  if ! running_pid maildev "$(maildev_marker)" >/dev/null; then
    require_free_port "$SMTP_PORT" SMTP_PORT "SMTP"
    require_free_port "$MAIL_WEB_PORT" MAIL_WEB_PORT "mail web UI"
  fi
  if ! running_pid oidc "$(oidc_marker)" >/dev/null; then
    require_free_port "$OIDC_PORT" OIDC_PORT "OpenID Connect provider"
  fi
}

print_exports() {
  local name value
  while read -r name value; do
    printf 'export %s=%s\n' "$name" "$(quote "$value")"
  done <<EOF
LDAP_URL ldap://127.0.0.1:$LDAP_PORT
LDAP_BASE_DN $BASE_DN
LDAP_BIND_DN $ADMIN_DN
LDAP_BIND_PASSWORD $LDAP_ADMIN_PASSWORD
SMTP_HOST 127.0.0.1
SMTP_PORT $SMTP_PORT
MAIL_API http://127.0.0.1:$MAIL_WEB_PORT/api/email
MAIL_WEB http://127.0.0.1:$MAIL_WEB_PORT/
OIDC_ISSUER $OIDC_ISSUER
OIDC_CLIENT_ID $OIDC_CLIENT_ID
OIDC_CLIENT_SECRET $OIDC_CLIENT_SECRET
EOF
}

command=${1:-}
[ $# -eq 2 ] || usage
mkdir -p "$2"
DIR=$(cd "$2" && pwd)

# One start or stop at a time per DIR.
exec 9>"$DIR/services.lock"
flock 9

case $command in
  start)
    check_requirements
    BASE_DN=$(node -p "require(process.argv[1]).base_dn" "$SERVICES_DIR/people.json")
    ADMIN_DN="cn=admin,$BASE_DN"
    check_ports
    start_slapd
    start_maildev
    start_oidc
    print_exports
    ;;
  stop)
    stop_service oidc "$(oidc_marker)"
    stop_service maildev "$(maildev_marker)"
    stop_service slapd "$(slapd_marker)"
    for port_file in "$DIR"/*.port; do
      [ -f "$port_file" ] || continue
      for port in $(tr '/' ' ' <"$port_file"); do
        if port_open "$port"; then
          log "warning: port $port is still in use after stop, by a process this DIR did not start"
        fi
      done
      rm -f "$port_file"
    done
    log "all services from $DIR stopped"
    ;;
  *) usage ;;
esac
