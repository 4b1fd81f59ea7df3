// What the people in the tests do in the SPA, found by accessible role and label the way a
// screen reader user would find it.
import assert from 'node:assert/strict';

import { APP_URL } from './config.mjs';
import { expectText, fact, waitUntil } from './checks.mjs';

const exact = { exact: true };

export const ADMIN = { username: 'e2e-admin', password: 'e2e-admin-password-1' };

// The sample person who orders, and her manager, from e2e/services/people.json.
export const JANE = {
  username: 'jdoe',
  password: 'JaneDoe-demo-1',
  displayName: 'Jane Doe',
  email: 'jdoe@example.test',
  dn: 'cn=Jane Doe,ou=People,dc=example,dc=test',
};
export const MANAGER_EMAIL = 'mfinch@example.test';
// Jane's manager, who approves her orders, as a person who signs in to the portal.
export const MARTHA = {
  username: 'mfinch',
  password: 'MarthaFinch-demo-1',
  displayName: 'Martha Finch',
  email: MANAGER_EMAIL,
};

function mainNav(page) {
  return page.getByRole('navigation', { name: 'Main', ...exact });
}

// Clicks LINK_NAME in the main navigation of the admin SPA or of the portal.
export async function followNavLink(page, linkName) {
  await mainNav(page).getByRole('link', { name: linkName, ...exact }).click();
}

// ---- admin SPA -------------------------------------------------------------------------------

export async function createFirstAdmin(page) {
  await page.goto(`${APP_URL}/ui/`);
  await page.getByRole('heading', { name: 'Create first administrator', ...exact }).waitFor();
  await page.getByLabel('Username', exact).fill(ADMIN.username);
  await page.getByLabel('Password', exact).fill(ADMIN.password);
  await page.getByLabel('Confirm password', exact).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create administrator', ...exact }).click();
  // The navigation shows the signed-in user.
  await mainNav(page).getByText(ADMIN.username, exact).waitFor();
}

// Signs PERSON in through the admin sign-in form, which shows under any /ui/ path while no
// one is signed in.
export async function signInToAdmin(page, person) {
  await page.getByRole('heading', { name: 'Sign in', ...exact }).waitFor();
  await page.getByLabel('Username', exact).fill(person.username);
  await page.getByLabel('Password', exact).fill(person.password);
  await page.getByRole('button', { name: 'Sign in', ...exact }).click();
  await mainNav(page).getByText(person.username, exact).waitFor();
}

// Clicks "Sign out" in the admin navigation and waits for the sign-in form.
export async function signOutOfAdmin(page) {
  await mainNav(page).getByRole('button', { name: 'Sign out', ...exact }).click();
  await page.getByRole('heading', { name: 'Sign in', ...exact }).waitFor();
}

// Clicks BUTTON in SECTION and waits for the section's status line to read EXPECTED.
async function clickForStatus(section, button, expected, description) {
  await section.getByRole('button', { name: button, ...exact }).click();
  return expectText(section.getByRole('status'), expected, description);
}

export async function configureDirectory(page, env) {
  await followNavLink(page, 'Settings');
  const section = page.getByRole('region', { name: 'Directory (LDAP)', ...exact });
  const url = new URL(env.LDAP_URL);
  await section.getByLabel('Server', exact).fill(url.hostname);
  await section.getByLabel('Port', exact).fill(url.port || '389');
  await section.getByLabel('TLS', exact).selectOption({ label: 'None' });
  await section.getByLabel('Bind DN', exact).fill(env.LDAP_BIND_DN);
  await section.getByLabel('Bind password', exact).fill(env.LDAP_BIND_PASSWORD);
  await section.getByLabel('Base DN', exact).fill(env.LDAP_BASE_DN);
  await section.getByLabel('Manager attribute', exact).fill('manager');

  const tested = 'the directory test result';
  await clickForStatus(section, 'Test directory connection', /^Connected to /, tested);
  await clickForStatus(section, 'Save directory settings', 'Saved', 'the directory save result');
}

export async function configureMail(page, env) {
  const section = page.getByRole('region', { name: 'E-mail (SMTP)', ...exact });
  await section.getByLabel('SMTP server', exact).fill(env.SMTP_HOST);
  await section.getByLabel('SMTP port', exact).fill(env.SMTP_PORT);
  await section.getByLabel('SMTP TLS', exact).selectOption({ label: 'None' });
  await section.getByLabel('Sender address', exact).fill('ip·Solis <ipsolis-e2e@example.test>');

  await clickForStatus(section, 'Test e-mail connection', /^Connected to /, 'the mail test result');
  await clickForStatus(section, 'Save e-mail settings', 'Saved', 'the mail save result');
}

export async function configurePortalSignIn(page, env) {
  const section = page.getByRole('region', { name: 'Portal sign-in (OpenID Connect)', ...exact });
  await section.getByLabel('Enable portal sign-in', exact).check();
  await section.getByLabel('Issuer URL', exact).fill(env.OIDC_ISSUER);
  await section.getByLabel('Client ID', exact).fill(env.OIDC_CLIENT_ID);
  await section.getByLabel('Client secret', exact).fill(env.OIDC_CLIENT_SECRET);
  await section.getByLabel('Allowed e-mail domains', exact).fill('example.test');

  await clickForStatus(section, 'Save sign-in settings', 'Saved', 'the sign-in save result');
  assert.equal(
    await section.getByLabel('Redirect URI', exact).inputValue(),
    `${APP_URL}/api/v1/portal/auth/callback`,
    'the redirect URI to register at the provider',
  );
}

// Creates an asset definition that puts the requester into GROUP_DN after their manager
// approves, with a required justification.
export async function createDefinition(page, { name, groupDn }) {
  await followNavLink(page, 'Asset definitions');
  await page.getByRole('link', { name: 'New asset definition', ...exact }).click();
  await page.getByRole('heading', { name: 'New asset definition', ...exact }).waitFor();

  await page.getByLabel('Name', exact).fill(name);
  const description = 'Read and post entries in the finance application.';
  await page.getByLabel('Description', exact).fill(description);
  await page.getByLabel('Category', exact).fill('Finance');
  await page.getByLabel('Strategy', exact).selectOption({ label: 'Group Access' });
  await page.getByLabel('Group DNs', exact).fill(groupDn);
  const managerApproves = page.getByLabel("The requester's manager approves", exact);
  assert.equal(await managerApproves.isChecked(), true, "a new definition asks the requester's manager");
  await page.getByLabel('Justification', exact).selectOption({ label: 'Required' });
  await page.getByLabel('Default duration (days)', exact).fill('30');
  await page.getByLabel('Maximum duration (days)', exact).fill('90');
  const active = await page.getByLabel('Active', exact).isChecked();
  assert.equal(active, true, 'a new definition is active');
  await page.getByRole('button', { name: 'Save asset definition', ...exact }).click();

  // Saving a new definition returns to the list.
  await page.getByRole('heading', { name: 'Asset definitions', ...exact }).waitFor();
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name, ...exact }) });
  const cells = row.getByRole('cell');
  await expectText(cells.nth(2), "Requester's manager", 'the approval column of the new definition');
  await expectText(cells.nth(3), '30 days (max 90 days)', 'the durations column of the new definition');
}

// Creates the first administrator and enters the directory, mail and portal sign-in settings.
export async function connectServices(page, env) {
  await createFirstAdmin(page);
  await configureDirectory(page, env);
  await configureMail(page, env);
  await configurePortalSignIn(page, env);
}

// Takes a new installation from the first administrator to an orderable asset definition
// ASSET_NAME that adds the requester to GROUP_DN.
export async function setUpInstallation(page, env, { assetName, groupDn }) {
  await connectServices(page, env);
  await createDefinition(page, { name: assetName, groupDn });
}

// ---- portal ----------------------------------------------------------------------------------

// Signs PERSON in to the portal through the OpenID Connect provider's login form.
export async function signInToPortal(page, env, person) {
  await page.goto(`${APP_URL}/portal/`);
  await page.getByRole('button', { name: 'Sign in with your company account', ...exact }).click();

  const issuer = new URL(env.OIDC_ISSUER);
  await page.waitForURL((url) => url.origin === issuer.origin);
  await page.getByLabel('Username', exact).fill(person.username);
  await page.getByLabel('Password', exact).fill(person.password);
  await page.getByRole('button', { name: 'Sign in', ...exact }).click();

  await page.waitForURL((url) => url.origin === APP_URL && url.pathname.startsWith('/portal/'));
  await page.getByRole('banner').getByText(person.displayName, exact).waitFor();
}

// Orders ASSET_NAME from the catalog and returns the order page's URL.
export async function placeOrder(page, { assetName, days, justification }) {
  await followNavLink(page, 'Catalog');
  await page.getByRole('heading', { name: 'Catalog', ...exact }).waitFor();
  // The search narrows the catalog to this entry alone.
  await page.getByLabel('Search', exact).fill(assetName);
  await page.getByRole('button', { name: 'Search', ...exact }).click();
  await waitUntil('the catalog search to show one entry', async (state) => {
    const shown = await page.getByRole('article').count();
    state.detail = `${shown} entries`;
    return shown === 1 ? shown : undefined;
  });
  const card = page.getByRole('article', { name: assetName, ...exact });
  await expectText(fact(card, 'Approval'), 'Your manager', 'the catalog entry');
  await card.getByRole('link', { name: 'Order', ...exact }).click();

  await page.getByRole('heading', { name: assetName, ...exact }).waitFor();
  await page.getByLabel('Duration (days)', exact).fill(String(days));
  await page.getByLabel('Justification', exact).fill(justification);
  await page.getByRole('button', { name: 'Submit order', ...exact }).click();

  await page.waitForURL(/\/portal\/orders\/[0-9a-f-]{36}$/);
  await page.getByRole('heading', { name: assetName, ...exact }).waitFor();
  return page.url();
}
