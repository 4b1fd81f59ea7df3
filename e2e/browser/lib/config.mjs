// Settings shared by the browser tests: paths, the test services' addresses and time limits.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const RESULTS_DIR = fileURLToPath(new URL('../../test-results/', import.meta.url));

// How long one wait for a page or a mail may take, in milliseconds.
export const WAIT_MS = 20_000;
// How long the server may take from spawn until GET /health returns 200. The first start on an
// empty database runs every migration with a debug build.
export const SERVER_START_MS = 60_000;

// The test services' OIDC provider accepts only the redirect URIs that e2e/test.sh registers
// (OIDC_REDIRECT_URIS), which use this port.
export const APP_PORT = Number(process.env.E2E_APP_PORT || 18080);
// The address the browser opens. E2E_APP_URL points it at a proxy in front of the server,
// such as https://127.0.0.1:18443 for the tests through nginx (e2e/proxy/).
export const APP_URL = process.env.E2E_APP_URL || `http://127.0.0.1:${APP_PORT}`;

// One database per test run, so two runs on one machine never share or drop each other's.
export const DATABASE_NAME = `ipsolis_e2e_${(process.env.IPSOLIS_TEST_RUN || 'local').replace(/[^a-z0-9_]/g, '_')}`;

const SERVICE_VARIABLES = [
  'LDAP_URL',
  'LDAP_BASE_DN',
  'LDAP_BIND_DN',
  'LDAP_BIND_PASSWORD',
  'SMTP_HOST',
  'SMTP_PORT',
  'MAIL_API',
  'OIDC_ISSUER',
  'OIDC_CLIENT_ID',
  'OIDC_CLIENT_SECRET',
];

// Reads the addresses that e2e/scripts/services.sh exports, failing with the missing names.
export function serviceEnv() {
  const missing = SERVICE_VARIABLES.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(
      `missing environment variables ${missing.join(', ')}: run the browser tests through ` +
        'bash e2e/test.sh, or start the test services as e2e/test.sh does and load the ' +
        'exported variables with `set -a; . .services/test.env; set +a`',
    );
  }
  const env = Object.fromEntries(SERVICE_VARIABLES.map((name) => [name, process.env[name]]));
  return {
    ...env,
    adminDatabaseUrl: process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
  };
}

// Creates the folder for logs and screenshots, which git ignores, and returns its path.
export function resultsDir() {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return RESULTS_DIR;
}
