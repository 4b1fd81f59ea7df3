#!/usr/bin/env bash
# Installs the build and test tools for ip·Solis on Debian 12, run as root:
#   - the rustup target wasm32-unknown-unknown
#   - apt packages chromium (browser tests), slapd and ldap-utils (test directory), curl,
#     nginx-light and openssl (the TLS proxy test), docker-compose (checks the compose files)
#   - trunk and wasm-bindgen-cli, built from the crates registry with cargo install
#   - the npm packages in e2e/ (playwright-core, maildev, oidc-provider, binaryen for wasm-opt)
#
#   bash e2e/scripts/install.sh
#
# It skips every step whose result is already present, so a second run takes seconds.
# Expects a rustup toolchain and Node.js 20 or later; PostgreSQL and Redis are not installed.
#
# Environment (defaults in brackets):
#   TRUNK_VERSION [0.21.14]   trunk 0.22 needs a newer rustc than the workspace's 1.95
set -euo pipefail

TRUNK_VERSION=${TRUNK_VERSION:-0.21.14}

install_start=$SECONDS
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO_ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

log() { echo "[install] $*"; }
die() {
  log "error: $*"
  exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }

# Runs a command and reports how long it took.
timed() {
  local start=$SECONDS status=0
  "$@" || status=$?
  log "  took $((SECONDS - start))s"
  return $status
}

# Runs cargo install with --locked first and falls back to a fresh resolution, because a
# crate's published Cargo.lock can pin a version that a registry mirror lacks
# (wasm-bindgen-cli 0.2.130 pins webpki-roots 1.0.11).
cargo_install() {
  if ! timed cargo install --locked "$@"; then
    log "  cargo install --locked failed; retrying without --locked"
    timed cargo install "$@"
  fi
}

# ---- Rust target ------------------------------------------------------------------------------

if ! have cargo || ! have rustup; then
  die "cargo and rustup not found; install a Rust toolchain with rustup first"
fi
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "skip: rustup target wasm32-unknown-unknown is installed"
else
  log "rustup target add wasm32-unknown-unknown"
  timed rustup target add wasm32-unknown-unknown
fi

# ---- Debian packages --------------------------------------------------------------------------

missing_apt_packages() {
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || echo "$package"
  done
}

apt_updated=0
apt_install() {
  local options=() missing
  if [ "$1" = --no-install-recommends ]; then
    options+=("$1")
    shift
  fi
  missing=$(missing_apt_packages "$@" | xargs)
  if [ -z "$missing" ]; then
    log "skip: apt packages are installed: $*"
    return 0
  fi
  [ "$(id -u)" = 0 ] || die "apt packages missing ($missing); run this script as root"
  if [ $apt_updated = 0 ]; then
    log "apt-get update"
    timed apt-get update -qq
    apt_updated=1
  fi
  log "apt-get install $missing"
  # shellcheck disable=SC2086 # $missing is a list of package names
  timed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o=Dpkg::Use-Pty=0 "${options[@]}" $missing
}

# The Debian package may start a system slapd on port 389. The test directory runs its own
# slapd from e2e/scripts/services.sh, so the system one is stopped (and disabled under systemd).
stop_system_slapd() {
  local pid
  if [ -d /run/systemd/system ]; then
    systemctl disable --now slapd.service >/dev/null 2>&1 || true
  fi
  pid=$(cat /run/slapd/slapd.pid 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    log "stopping the system slapd (pid $pid) that the package started"
    service slapd stop >/dev/null 2>&1 || kill "$pid"
  fi
}

slapd_was_installed=$(missing_apt_packages slapd)
apt_install chromium
apt_install --no-install-recommends slapd ldap-utils curl
# pg_dump, pg_restore and psql for the backup and restore tests.
apt_install --no-install-recommends postgresql-client-15
[ -n "$slapd_was_installed" ] && stop_system_slapd

# The package starts nginx on port 80; the tests run their own on other ports.
nginx_was_installed=$(missing_apt_packages nginx-light)
apt_install --no-install-recommends nginx-light openssl
if [ -n "$nginx_was_installed" ]; then
  service nginx stop >/dev/null 2>&1 || true
fi
# Compose v1 from Debian validates the compose files; a machine with Compose v2 uses that.
if ! docker compose version >/dev/null 2>&1; then
  apt_install --no-install-recommends docker-compose
fi

# ---- trunk ------------------------------------------------------------------------------------

if have trunk && [ "$(trunk --version)" = "trunk $TRUNK_VERSION" ]; then
  log "skip: trunk $TRUNK_VERSION is installed"
else
  force=()
  have trunk && force=(--force) && log "replacing $(trunk --version)"
  log "cargo install trunk --version $TRUNK_VERSION (about 8 minutes on a 2-core machine)"
  cargo_install "${force[@]}" trunk --version "$TRUNK_VERSION"
  [ "$(trunk --version)" = "trunk $TRUNK_VERSION" ] || die "trunk --version prints '$(trunk --version)' after the install, expected trunk $TRUNK_VERSION; check PATH"
fi

# ---- wasm-bindgen-cli: its version must equal the wasm-bindgen library in Cargo.lock -----------

[ -f Cargo.lock ] || die "Cargo.lock not found in $REPO_ROOT; run 'cargo generate-lockfile' first"
wasm_bindgen_version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/^version = "|"$/, ""); print; exit }' Cargo.lock)
[ -n "$wasm_bindgen_version" ] || die "Cargo.lock has no wasm-bindgen package; run 'cargo generate-lockfile' first"

if have wasm-bindgen && [ "$(wasm-bindgen --version | cut -d' ' -f2)" = "$wasm_bindgen_version" ]; then
  log "skip: wasm-bindgen-cli $wasm_bindgen_version is installed (matches Cargo.lock)"
else
  force=()
  have wasm-bindgen && force=(--force) && log "replacing $(wasm-bindgen --version), Cargo.lock needs $wasm_bindgen_version"
  log "cargo install wasm-bindgen-cli --version $wasm_bindgen_version (about 2 minutes on a 2-core machine)"
  cargo_install "${force[@]}" wasm-bindgen-cli --version "$wasm_bindgen_version"
  [ "$(wasm-bindgen --version | cut -d' ' -f2)" = "$wasm_bindgen_version" ] \
    || die "wasm-bindgen --version prints '$(wasm-bindgen --version)' after the install, expected $wasm_bindgen_version; check PATH"
fi

# ---- npm packages in e2e/ ---------------------------------------------------------------------

if ! have node || ! have npm; then
  die "node and npm not found; install Node.js 20 or later"
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node.js $(node --version) is too old; install Node.js 20 or later"

# Prints why e2e/node_modules must be reinstalled, or nothing when it matches package-lock.json.
npm_install_reason() {
  local installed_lock=e2e/node_modules/.package-lock.json
  if [ ! -f "$installed_lock" ]; then
    echo "e2e/node_modules is missing"
  elif [ e2e/package-lock.json -nt "$installed_lock" ] || [ e2e/package.json -nt "$installed_lock" ]; then
    echo "e2e/package.json or e2e/package-lock.json changed since the last install"
  else
    # A direct dependency with another version than package.json pins.
    # shellcheck disable=SC2016 # the backticks are a JavaScript template literal
    (cd e2e && node -e '
      const deps = JSON.parse(require("fs").readFileSync("package.json", "utf8")).dependencies;
      for (const [name, want] of Object.entries(deps)) {
        let got = "none";
        try { got = require(`./node_modules/${name}/package.json`).version; } catch {}
        if (got !== want) console.log(`${name} is ${got}, package.json pins ${want}`);
      }')
  fi
}

reason=$(npm_install_reason)
if [ -z "$reason" ]; then
  log "skip: npm packages in e2e/ match package-lock.json"
else
  log "npm ci in e2e/ ($reason)"
  (cd e2e && timed npm ci --no-audit --no-fund --loglevel=error)
fi

# ---- summary ----------------------------------------------------------------------------------

log "installed versions:"
log "  $(rustc --version)"
log "  $(trunk --version)"
log "  $(wasm-bindgen --version)"
log "  $(e2e/node_modules/.bin/wasm-opt --version) from npm binaryen; trunk finds it with PATH=\"$REPO_ROOT/e2e/node_modules/.bin:\$PATH\""
log "  node $(node --version), chromium $(dpkg-query -W -f='${Version}' chromium), slapd $(dpkg-query -W -f='${Version}' slapd)"
log "done in $((SECONDS - install_start))s"
