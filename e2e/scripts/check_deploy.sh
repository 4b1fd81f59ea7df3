#!/usr/bin/env bash
# Checks the deployment files without building images or starting containers:
#   - docker/docker-compose.yml alone and with docker/docker-compose.prod.yml pass
#     `docker compose config` (or `docker-compose config` where only Compose v1 is installed);
#   - every environment variable the server reads is described in docker/.env.example and in
#     README.md's environment table, so neither drifts from the code.
#
#   bash e2e/scripts/check_deploy.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

fail() {
  echo "check_deploy: $*" >&2
  exit 1
}

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  fail "neither 'docker compose' nor 'docker-compose' is installed (apt-get install docker-compose)"
fi

# A filled-in copy of .env.example, so the required variables have values.
env_file=$(mktemp)
trap 'rm -f "$env_file"' EXIT
sed -e 's|^POSTGRES_PASSWORD=$|POSTGRES_PASSWORD=check-only-password|' \
  -e 's|^API_SECRET_KEY=$|API_SECRET_KEY=check-only-secret-key-0123456789abcdef|' \
  -e 's|^IPSOLIS_PUBLIC_URL=.*|IPSOLIS_PUBLIC_URL=https://ipsolis.example.com|' \
  docker/.env.example >"$env_file"

for files in "docker/docker-compose.yml" "docker/docker-compose.yml docker/docker-compose.prod.yml"; do
  args=()
  for file in $files; do args+=(-f "$file"); done
  if ! out=$("${compose[@]}" --env-file "$env_file" "${args[@]}" config 2>&1); then
    echo "$out" >&2
    fail "compose config failed for: $files"
  fi
  echo "check_deploy: compose config passes for $files"
done

# Images cannot be built here (no Docker daemon, no registry), so at least every build target
# the compose files name, and every stage a COPY --from names, must be a stage of the Dockerfile.
stages=$(sed -nE 's/^FROM .* AS ([a-z0-9_-]+)$/\1/p' docker/Dockerfile)
for target in $(sed -nE 's/^ *target: *([a-z0-9_-]+) *$/\1/p' docker/docker-compose*.yml) \
  $(sed -nE 's/.*COPY --from=([a-z0-9_-]+) .*/\1/p' docker/Dockerfile); do
  echo "$stages" | grep -qx "$target" || fail "docker/Dockerfile has no stage named $target"
done
echo "check_deploy: the Dockerfile has the stages $(echo $stages | tr ' ' ',')"

# The variables the server reads: every upper-case string literal in the configuration
# module, and `env::var("NAME")` elsewhere. HOSTNAME is set by the system, not by an operator.
names=$({
  grep -ohE '"[A-Z][A-Z0-9_]{3,}"' backend/src/config.rs
  grep -rhoE 'env::var(_os)?\("[A-Z][A-Z0-9_]+"\)' backend/src
} | sed -E 's/.*"([A-Z0-9_]+)".*/\1/' | sort -u | grep -vx 'HOSTNAME')
[ -n "$names" ] || fail "found no environment variables in backend/src; the pattern is out of date"
missing=0
for name in $names; do
  if ! grep -qE "^#?${name}=" docker/.env.example; then
    echo "check_deploy: $name is read by the server but not in docker/.env.example" >&2
    missing=1
  fi
  if ! grep -q "\`${name}\`" README.md; then
    echo "check_deploy: $name is read by the server but not in README.md" >&2
    missing=1
  fi
done
[ "$missing" = 0 ] || fail "describe the variables above"
echo "check_deploy: $(echo "$names" | wc -l) environment variables are described"
