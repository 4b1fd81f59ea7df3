// API tokens and security settings in one Chromium. The first administrator creates a token
// with the scope orders:read, which a script (node's fetch) uses until the admin revokes it,
// and pages through a list longer than one page. Then the admin raises the minimum password
// length, which rejects a shorter new password, and sets how long old tokens are kept. A
// sign-in with the legacy admin key lists the tokens but gets no form to create one.
//
//   cd e2e && node --test browser/tokens.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs. The server gets
// an ADMIN_API_KEY of its own.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';

import { adminRequest } from './lib/admin_api.mjs';
import { APP_URL } from './lib/config.mjs';
import { expectText, waitUntil } from './lib/checks.mjs';
import { ADMIN, createFirstAdmin, followNavLink } from './lib/flows.mjs';
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };

const TOKEN_NAME = 'e2e-orders-reader';
// The number of tokens the SPA asks for per page.
const TOKEN_PAGE_SIZE = 50;
// 13 characters: above the fixed minimum of 12, below the policy minimum of 16 set below.
const THIRTEEN_CHARACTER_PASSWORD = 'e2e-pw-13-chr';
const PURGE_DAYS_LABEL = 'Delete revoked and expired API tokens after (days, 0 keeps them)';

const LEGACY_KEY = randomBytes(32).toString('hex');
const LEGACY_KEY_TOKEN_NOTE =
  /^The legacy admin key belongs to no account, so it cannot own API tokens; create an admin user for yourself under Admin users and sign in with that account to create one\.$/;

function section(page, name) {
  return page.getByRole('region', { name, ...exact });
}

function fieldErrors(scope) {
  return scope.locator('.field-error');
}

function tokenRow(page, name) {
  return page.getByRole('row').filter({ has: page.getByRole('cell', { name, ...exact }) });
}

// Returns the cell of ROW in the column whose header is COLUMN. The headers are read as text
// content, because the style sheet shows them in capitals.
async function cellIn(page, row, column) {
  const headers = (await page.getByRole('columnheader').allTextContents()).map((text) => text.trim());
  const index = headers.indexOf(column);
  assert.notEqual(index, -1, `the token table has a ${column} column: ${JSON.stringify(headers)}`);
  return row.getByRole('cell').nth(index);
}

// Returns the texts that INPUT names in aria-describedby, which a screen reader reads out
// after its label.
async function descriptions(input) {
  return input.evaluate((element) =>
    (element.getAttribute('aria-describedby') || '')
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent.trim() ?? ''),
  );
}

// Sends GET PATH to the server as a script would, with SECRET as the bearer token.
async function getWithToken(path, secret) {
  const response = await fetch(`${APP_URL}${path}`, {
    headers: { Accept: 'application/json', Authorization: `Bearer ${secret}` },
  });
  const body = await response.text();
  return { status: response.status, body };
}

describe('API tokens and security settings', () => {
  const run = new TestRun('tokens', { serverEnv: { ADMIN_API_KEY: LEGACY_KEY } });
  run.hooks();
  // Set by the step that creates the token, and read by the later steps.
  let secret = null;

  run.step('first administrator is created', async () => {
    const admin = await run.page('admin');
    await createFirstAdmin(admin);
  });

  run.step('admin creates a token with orders:read', async () => {
    const page = await run.page('admin');
    await followNavLink(page, 'API tokens');
    await page.getByRole('heading', { name: 'API tokens', ...exact }).waitFor();
    await page.getByText('No API tokens yet.', exact).waitFor();

    const form = section(page, 'New API token');
    const roleSelect = form.getByLabel('Role', exact);
    assert.equal(
      await roleSelect.locator('option:checked').innerText(),
      'Same as mine',
      'a new token acts with the creator\'s role unless another is chosen',
    );
    const roleLabels = await roleSelect.locator('option').allInnerTexts();
    const expectedRoles = ['Same as mine', 'Superadmin', 'Admin', 'Approver', 'Auditor', 'Helpdesk'];
    assert.deepEqual(roleLabels, expectedRoles, 'the role options of a superadmin');

    // The form checks the name, the scopes and the expiry before any request.
    const create = form.getByRole('button', { name: 'Create token', ...exact });
    await form.getByLabel('Expires in (days)', exact).fill('731');
    await create.click();
    await expectText(fieldErrors(form), 'must be 1 to 120 characters long', 'the name error');
    await expectText(fieldErrors(form), 'must name at least one scope', 'the scopes error');
    await expectText(fieldErrors(form), 'must be between 1 and 730 days', 'the expiry error');

    await form.getByLabel('Name', exact).fill(TOKEN_NAME);
    await form.getByLabel('orders:read', exact).check();
    await form.getByLabel('Expires in (days)', exact).fill('30');
    await create.click();

    await form.getByText('Copy it now: it is not shown again', exact).waitFor();
    secret = await form.getByLabel('Secret', exact).inputValue();
    assert.match(secret, /^ips_[0-9a-f]{8}_\S+$/, 'the secret has the form ips_<prefix>_<random>');

    const row = tokenRow(page, TOKEN_NAME);
    await row.waitFor();
    await expectText(await cellIn(page, row, 'Prefix'), secret.split('_').slice(0, 2).join('_'), 'the prefix');
    await expectText(await cellIn(page, row, 'Scopes'), 'orders:read', 'the scopes');
    await expectText(await cellIn(page, row, 'Role'), 'Same as creator', 'the role');
    await expectText(await cellIn(page, row, 'Created by'), new RegExp(`^${ADMIN.username}\\b`), 'the creator');
    await expectText(await cellIn(page, row, 'Last used'), 'Never', 'the last use of a new token');
    await expectText(await cellIn(page, row, 'Status'), 'Active', 'the status of a new token');

    await form.getByRole('button', { name: 'Done', ...exact }).click();
    await form.getByRole('button', { name: 'Create token', ...exact }).waitFor();
    assert.equal(await form.getByLabel('Secret', exact).count(), 0, 'Done hides the secret');
    assert.equal(await form.getByLabel('Name', exact).inputValue(), '', 'the form is empty again');
  });

  run.step('token reads orders but not settings', async () => {
    const orders = await getWithToken('/api/v1/orders', secret);
    assert.equal(orders.status, 200, `GET /api/v1/orders with the token: ${orders.body}`);
    const ldap = await getWithToken('/api/v1/settings/ldap', secret);
    assert.equal(ldap.status, 403, `GET /api/v1/settings/ldap with orders:read only: ${ldap.body}`);

    // The list shows the last use after a reload.
    const page = await run.page('admin');
    const row = tokenRow(page, TOKEN_NAME);
    await waitUntil('the last use of the token to show', async (state) => {
      await page.reload();
      await row.waitFor();
      const text = (await (await cellIn(page, row, 'Last used')).innerText()).trim();
      state.detail = JSON.stringify(text);
      return text.includes('127.0.0.1') ? text : undefined;
    });
  });

  run.step('admin revokes the token', async () => {
    const page = await run.page('admin');
    const row = tokenRow(page, TOKEN_NAME);
    await row.getByRole('button', { name: 'Revoke', ...exact }).click();
    await row.getByText(`Revoke ${TOKEN_NAME}?`, { exact: false }).waitFor();
    await row.getByRole('button', { name: 'Keep token', ...exact }).click();
    await expectText(await cellIn(page, row, 'Status'), 'Active', 'the status after keeping the token');

    await row.getByRole('button', { name: 'Revoke', ...exact }).click();
    await row.getByRole('button', { name: 'Confirm revoke', ...exact }).click();
    await expectText(await cellIn(page, row, 'Status'), 'Revoked', 'the status after revoking');
    assert.equal(
      await row.getByRole('button', { name: 'Revoke', ...exact }).count(),
      0,
      'a revoked token has no Revoke button',
    );

    const orders = await getWithToken('/api/v1/orders', secret);
    assert.equal(orders.status, 401, `GET /api/v1/orders with the revoked token: ${orders.body}`);
  });

  run.step('token list loads further pages', async () => {
    // 50 more tokens fill the first page of 50, so the first token moves to the second.
    const page = await run.page('admin');
    for (let index = 1; index <= TOKEN_PAGE_SIZE; index += 1) {
      await adminRequest(page, 'POST', '/api/v1/tokens', {
        name: `e2e-batch-${String(index).padStart(2, '0')}`,
        scopes: ['orders:read'],
        expires_in_days: 30,
      });
    }
    await page.reload();
    await page.getByRole('heading', { name: 'API tokens', ...exact }).waitFor();
    const bodyRows = page.locator('tbody').getByRole('row');
    const loadMore = page.getByRole('button', { name: 'Load more', ...exact });
    await loadMore.waitFor();
    assert.equal(await bodyRows.count(), TOKEN_PAGE_SIZE, 'the first page has 50 tokens');
    assert.equal(await tokenRow(page, TOKEN_NAME).count(), 0, 'the oldest token is on the next page');

    await loadMore.click();
    await tokenRow(page, TOKEN_NAME).waitFor();
    assert.equal(await bodyRows.count(), TOKEN_PAGE_SIZE + 1, 'both pages together list every token');
    await loadMore.waitFor({ state: 'detached' });
  });

  run.step('admin raises the minimum password length', async () => {
    const page = await run.page('admin');
    await followNavLink(page, 'Settings');
    await page.getByRole('heading', { name: 'Settings', ...exact }).waitFor();
    const security = section(page, 'Security');
    const minLength = security.getByLabel('Minimum password length', exact);
    await minLength.waitFor();
    assert.equal(await minLength.inputValue(), '12', 'the default minimum password length');
    const legacyKey = security.getByLabel('Allow the legacy X-Admin-Key', exact);
    assert.equal(await legacyKey.isChecked(), true, 'the legacy key is allowed by default');

    // The form checks the ranges before any request.
    const save = security.getByRole('button', { name: 'Save security settings', ...exact });
    await minLength.fill('11');
    await save.click();
    await expectText(fieldErrors(security), 'must be between 12 and 128', 'the minimum length error');

    await minLength.fill('16');
    await save.click();
    await expectText(security.getByRole('status'), /^Saved\./, 'the security save result');

    await page.reload();
    const reloaded = section(page, 'Security').getByLabel('Minimum password length', exact);
    await reloaded.waitFor();
    await waitUntil('the saved minimum length after a reload', async (state) => {
      const value = await reloaded.inputValue();
      state.detail = JSON.stringify(value);
      return value === '16' ? value : undefined;
    });
  });

  run.step('admin sets how long old tokens are kept', async () => {
    const page = await run.page('admin');
    const security = section(page, 'Security');
    const purgeDays = security.getByLabel(PURGE_DAYS_LABEL, exact);
    await purgeDays.waitFor();
    assert.equal(await purgeDays.inputValue(), '0', 'old tokens are kept for good by default');
    const save = security.getByRole('button', { name: 'Save security settings', ...exact });

    await purgeDays.fill('30');
    await save.click();
    await expectText(security.getByRole('status'), /^Saved\./, 'the security save result');
    await page.reload();
    const reloaded = section(page, 'Security').getByLabel(PURGE_DAYS_LABEL, exact);
    await reloaded.waitFor();
    await waitUntil('the saved purge days after a reload', async (state) => {
      const value = await reloaded.inputValue();
      state.detail = JSON.stringify(value);
      return value === '30' ? value : undefined;
    });

    // The form checks the range before any request, and names the error in the field's
    // description.
    const reloadedSecurity = section(page, 'Security');
    await reloaded.fill('5000');
    await reloadedSecurity.getByRole('button', { name: 'Save security settings', ...exact }).click();
    await expectText(fieldErrors(reloadedSecurity), 'must be between 0 and 3650', 'the purge days error');
    assert.equal(await reloaded.getAttribute('aria-invalid'), 'true', 'the purge days field is marked invalid');
    const descriptionTexts = await descriptions(reloaded);
    assert.ok(
      descriptionTexts.includes('must be between 0 and 3650'),
      `the purge days field is described by its error: ${JSON.stringify(descriptionTexts)}`,
    );
    assert.equal(await reloadedSecurity.getByRole('status').count(), 0, 'no save result for the wrong value');

    const stored = await adminRequest(page, 'GET', '/api/v1/settings/security');
    assert.equal(stored.token_purge_days, 30, 'the server keeps the saved purge days');
    await page.reload();
    const afterRejection = section(page, 'Security').getByLabel(PURGE_DAYS_LABEL, exact);
    await afterRejection.waitFor();
    await waitUntil('the purge days after the rejected value', async (state) => {
      const value = await afterRejection.inputValue();
      state.detail = JSON.stringify(value);
      return value === '30' ? value : undefined;
    });
  });

  run.step('shorter password is rejected', async () => {
    const page = await run.page('admin');
    await followNavLink(page, 'My account');
    await page.getByRole('heading', { name: 'My account', ...exact }).waitFor();

    const form = section(page, 'Change password');
    await form.getByLabel('Current password', exact).fill(ADMIN.password);
    await form.getByLabel('New password', exact).fill(THIRTEEN_CHARACTER_PASSWORD);
    await form.getByLabel('Confirm new password', exact).fill(THIRTEEN_CHARACTER_PASSWORD);
    await form.getByRole('button', { name: 'Change password', ...exact }).click();
    await expectText(
      fieldErrors(form),
      'must be at least 16 characters long',
      'the server\'s error for the new password',
    );
  });

  run.step('legacy key lists tokens but cannot create one', async () => {
    const page = await run.page('legacy');
    await page.goto(`${APP_URL}/ui/`);
    await page.getByRole('heading', { name: 'Sign in', ...exact }).waitFor();
    await page.getByLabel('Password', exact).fill(LEGACY_KEY);
    await page.getByRole('button', { name: 'Sign in', ...exact }).click();
    await page.getByRole('navigation', { name: 'Main', ...exact }).getByText('legacy-key', exact).waitFor();

    await followNavLink(page, 'API tokens');
    await page.getByRole('heading', { name: 'API tokens', ...exact }).waitFor();
    // A superadmin's list contains every admin's tokens, newest first.
    await tokenRow(page, `e2e-batch-${TOKEN_PAGE_SIZE}`).waitFor();

    const form = section(page, 'New API token');
    await expectText(form.getByRole('paragraph'), LEGACY_KEY_TOKEN_NOTE, 'the note in place of the form');
    await form.getByRole('link', { name: 'Admin users', ...exact }).waitFor();
    assert.equal(await form.getByLabel('Name', exact).count(), 0, 'no form for the legacy key');
    assert.equal(
      await form.getByRole('button', { name: 'Create token', ...exact }).count(),
      0,
      'no Create token button for the legacy key',
    );

    // The server rejects the key as a token's owner, which the note explains.
    await assert.rejects(
      adminRequest(page, 'POST', '/api/v1/tokens', {
        name: 'e2e-legacy-token',
        scopes: ['orders:read'],
        expires_in_days: 30,
      }),
      /returned 403: .*legacy admin key/,
      'the server answers 403 to the legacy key',
    );
  });
});
