// API tokens and security settings in one Chromium. The first administrator creates a token
// with the scope orders:read, which a script (node's fetch) uses until the admin revokes it.
// Then the admin raises the minimum password length, and a shorter new password is rejected.
//
//   cd e2e && node --test browser/tokens.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs.
import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { APP_URL } from './lib/config.mjs';
import { expectText, waitUntil } from './lib/checks.mjs';
import { ADMIN, createFirstAdmin, followNavLink } from './lib/flows.mjs';
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };

const TOKEN_NAME = 'e2e-orders-reader';
// 13 characters: above the fixed minimum of 12, below the policy minimum of 16 set below.
const THIRTEEN_CHARACTER_PASSWORD = 'e2e-pw-13-chr';

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

// Sends GET PATH to the server as a script would, with SECRET as the bearer token.
async function getWithToken(path, secret) {
  const response = await fetch(`${APP_URL}${path}`, {
    headers: { Accept: 'application/json', Authorization: `Bearer ${secret}` },
  });
  const body = await response.text();
  return { status: response.status, body };
}

describe('API tokens and security settings', () => {
  const run = new TestRun('tokens');
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
});
