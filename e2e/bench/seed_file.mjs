#!/usr/bin/env node
// Prints the `ipsolis seed` file of the load benchmark: the first administrator, the test
// services as directory, mail server and OpenID Connect provider, and the asset definitions
// that e2e/bench/seed.sql spreads the seeded orders and assets over.
//
//   node e2e/bench/seed_file.mjs > seed.json
//
// Reads BENCH_ADMIN_USER and BENCH_ADMIN_PASSWORD, and the variables that
// e2e/scripts/services.sh exports (LDAP_URL, LDAP_BIND_DN, LDAP_BIND_PASSWORD, LDAP_BASE_DN,
// SMTP_HOST, SMTP_PORT, OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET).

const required = [
  'BENCH_ADMIN_USER',
  'BENCH_ADMIN_PASSWORD',
  'LDAP_URL',
  'LDAP_BIND_DN',
  'LDAP_BIND_PASSWORD',
  'LDAP_BASE_DN',
  'SMTP_HOST',
  'SMTP_PORT',
  'OIDC_ISSUER',
  'OIDC_CLIENT_ID',
  'OIDC_CLIENT_SECRET',
];
const missing = required.filter((name) => !process.env[name]);
if (missing.length > 0) {
  console.error(`seed_file: missing environment variables ${missing.join(', ')}`);
  process.exit(2);
}
const env = process.env;
const groups = `ou=Groups,${env.LDAP_BASE_DN}`;

// The first two definitions are the ones e2e/bench/load.mjs places orders for. Their groups
// exist in the test directory, so the provisioning jobs of the created orders succeed.

// `approval` is 'manager' (the requester's manager approves) or 'none' (approved at once).
function definition(name, category, approval, extra = {}) {
  return {
    name,
    description: `${name}, granted through a directory group.`,
    category,
    strategy: 'group_access',
    group_dns: [`cn=${name},${groups}`],
    approval: approval === 'manager' ? { manager: {} } : {},
    default_duration_days: 30,
    max_duration_days: 90,
    justification: approval === 'manager' ? 'required' : 'optional',
    ...extra,
  };
}

const definitions = [
  definition('Jump host access', 'Infrastructure', 'none', {
    group_dns: [`cn=Jump Host Users,${groups}`],
  }),
  definition('Finance app access', 'Applications', 'manager', {
    group_dns: [`cn=Finance App Access,${groups}`],
  }),
  definition('CRM read access', 'Applications', 'manager'),
  definition('CRM write access', 'Applications', 'manager'),
  definition('HR portal', 'Applications', 'none'),
  definition('Data warehouse reader', 'Data', 'manager'),
  definition('Data warehouse analyst', 'Data', 'manager'),
  definition('Build server', 'Engineering', 'none'),
  definition('Source code mirror', 'Engineering', 'none'),
  definition('Production database console', 'Infrastructure', 'manager'),
  definition('Wiki editor', 'Collaboration', 'none'),
  definition('Shared mailbox finance', 'Collaboration', 'manager'),
  definition('VPN full tunnel', 'Network', 'manager'),
  definition('Guest Wi-Fi sponsor', 'Network', 'none'),
  definition('Payroll viewer', 'Applications', 'manager'),
  definition('Ticketing agent', 'Applications', 'none'),
  definition('VDI Windows 11', 'Workplaces', 'manager', { assignment: 'assigned_personal' }),
  definition('VDI Linux desktop', 'Workplaces', 'manager', { assignment: 'assigned_personal' }),
  definition('Lab server', 'Engineering', 'manager', {
    assignment: 'dedicated_shared',
    shared_max_users: 4,
  }),
  definition('Test phone', 'Workplaces', 'none', { assignment: 'assigned_personal' }),
];

const ldap = new URL(env.LDAP_URL);
const seed = {
  admins: [{ username: env.BENCH_ADMIN_USER, password: env.BENCH_ADMIN_PASSWORD, role: 'superadmin' }],
  ldap: {
    host: ldap.hostname,
    port: Number(ldap.port || 389),
    tls: 'none',
    bind_dn: env.LDAP_BIND_DN,
    bind_password: env.LDAP_BIND_PASSWORD,
    base_dn: env.LDAP_BASE_DN,
    manager_attribute: 'manager',
  },
  smtp: { host: env.SMTP_HOST, port: Number(env.SMTP_PORT), tls: 'none', from: 'ip·Solis <ipsolis-bench@example.test>' },
  oidc: {
    enabled: true,
    issuer_url: env.OIDC_ISSUER,
    client_id: env.OIDC_CLIENT_ID,
    client_secret: env.OIDC_CLIENT_SECRET,
    allowed_email_domains: ['example.test'],
  },
  asset_definitions: definitions,
};

process.stdout.write(`${JSON.stringify(seed, null, 2)}\n`);
