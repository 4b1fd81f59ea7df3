// Admin roles in one Chromium. The first administrator manages admin users and creates an
// auditor. The auditor sees a read-only SPA, reads the audit log and changes their own
// password, which ends their other sessions.
//
//   cd e2e && node --test browser/roles.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs.
import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { APP_URL } from './lib/config.mjs';
import { expectText, fact } from './lib/checks.mjs';
import { ADMIN, createFirstAdmin, followNavLink, signInToAdmin, signOutOfAdmin } from './lib/flows.mjs';
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };

const AUDITOR = { username: 'e2e-auditor', password: 'e2e-auditor-password-1' };
const NEW_AUDITOR_PASSWORD = 'e2e-auditor-password-2';
const HELPDESK = { username: 'e2e-helpdesk', password: 'e2e-helpdesk-password-1' };

function mainNav(page) {
  return page.getByRole('navigation', { name: 'Main', ...exact });
}

function section(page, name) {
  return page.getByRole('region', { name, ...exact });
}

function fieldErrors(scope) {
  return scope.locator('.field-error');
}

// Returns the rows of the audit log table whose Action column is ACTION.
function auditRows(page, action) {
  return page.getByRole('row').filter({ has: page.getByRole('cell', { name: action, ...exact }) });
}

function userRow(page, username) {
  return page.getByRole('row').filter({ has: page.getByRole('link', { name: username, ...exact }) });
}

// Fills and submits the "New admin user" form, and waits for its status line.
async function createAdminUser(page, { username, password, role }) {
  const form = section(page, 'New admin user');
  await form.getByLabel('Username', exact).fill(username);
  await form.getByLabel('Password', exact).fill(password);
  if (role) {
    await form.getByLabel('Role', exact).selectOption({ label: role });
  }
  await form.getByRole('button', { name: 'Create admin user', ...exact }).click();
  const created = new RegExp(`^Created the admin user ${username} `);
  await expectText(form.getByRole('status'), created, 'the create result');
}

async function openAdminUser(page, username) {
  await followNavLink(page, 'Admin users');
  await page.getByRole('heading', { name: 'Admin users', ...exact }).waitFor();
  await page.getByRole('link', { name: username, ...exact }).click();
  await page.getByRole('heading', { name: username, ...exact }).waitFor();
}

describe('admin roles', () => {
  const run = new TestRun('roles');
  run.hooks();

  run.step('first administrator is created', async () => {
    const admin = await run.page('admin');
    await createFirstAdmin(admin);
  });

  run.step('superadmin creates an auditor', async () => {
    const admin = await run.page('admin');
    await followNavLink(admin, 'Admin users');
    await admin.getByRole('heading', { name: 'Admin users', ...exact }).waitFor();
    const adminRole = userRow(admin, ADMIN.username).getByRole('cell').nth(1);
    await expectText(adminRole, 'Superadmin', 'the role column of the first admin');

    const form = section(admin, 'New admin user');
    const roleSelect = form.getByLabel('Role', exact);
    assert.equal(
      await roleSelect.locator('option:checked').innerText(),
      'Helpdesk',
      'the new admin user form starts with Helpdesk, a role that only reads',
    );
    const roleLabels = await roleSelect.locator('option').allInnerTexts();
    const expectedLabels = ['Superadmin', 'Admin', 'Approver', 'Auditor', 'Helpdesk'];
    assert.deepEqual(roleLabels, expectedLabels, 'the role options');

    // The shared validation rules run before any request.
    await form.getByLabel('Username', exact).fill(AUDITOR.username);
    await form.getByLabel('Password', exact).fill('short');
    await form.getByRole('button', { name: 'Create admin user', ...exact }).click();
    const tooShort = 'must be at least 12 characters long';
    await expectText(fieldErrors(form), tooShort, 'the password error');

    await createAdminUser(admin, { ...AUDITOR, role: 'Auditor' });
    const cells = userRow(admin, AUDITOR.username).getByRole('cell');
    await expectText(cells.nth(1), 'Auditor', 'the role column of the auditor');
    await expectText(cells.nth(2), 'Active', 'the status column of the auditor');

    // The server rejects a taken username with a field error.
    await form.getByLabel('Username', exact).fill(AUDITOR.username);
    await form.getByLabel('Password', exact).fill(AUDITOR.password);
    await form.getByRole('button', { name: 'Create admin user', ...exact }).click();
    const usernameTaken = 'another admin user has this username';
    await expectText(fieldErrors(form), usernameTaken, 'the username error');
  });

  run.step('superadmin cannot change own account', async () => {
    const admin = await run.page('admin');
    await openAdminUser(admin, ADMIN.username);
    await admin.getByText('This is your own account.', { exact: false }).waitFor();

    // The server checks the own-account rule before the last-superadmin guard.
    const ownAccount =
      /^Conflict\s+You cannot change your own role or scope or deactivate yourself; ask another superadmin\.$/;
    const status = section(admin, 'Status');
    await status.getByRole('button', { name: 'Deactivate', ...exact }).click();
    await expectText(status.getByRole('alert'), ownAccount, 'the own-account deactivation error');
    await expectText(fact(admin, 'Status'), 'Active', 'the status after the rejected change');

    const role = section(admin, 'Role');
    await role.getByLabel('Role', exact).selectOption({ label: 'Admin' });
    await role.getByRole('button', { name: 'Save', ...exact }).click();
    await expectText(role.getByRole('alert'), ownAccount, 'the own-account role error');
    assert.equal(
      await role.getByLabel('Role', exact).locator('option:checked').innerText(),
      'Superadmin',
      'the role select returns to the stored role',
    );

    const removal = section(admin, 'Delete');
    await removal.getByRole('button', { name: 'Delete', ...exact }).click();
    await removal.getByRole('button', { name: 'Confirm delete', ...exact }).click();
    await expectText(
      removal.getByRole('alert'),
      /^Conflict\s+You cannot delete your own account; ask another superadmin\.$/,
      'the own-account delete error',
    );
  });

  run.step('superadmin manages another admin user', async () => {
    const admin = await run.page('admin');
    await followNavLink(admin, 'Admin users');
    await createAdminUser(admin, HELPDESK);
    const helpdeskRole = userRow(admin, HELPDESK.username).getByRole('cell').nth(1);
    await expectText(helpdeskRole, 'Helpdesk', 'the default role of a new admin user');
    await openAdminUser(admin, HELPDESK.username);

    const role = section(admin, 'Role');
    await role.getByLabel('Role', exact).selectOption({ label: 'Approver' });
    await role.getByRole('button', { name: 'Save', ...exact }).click();
    const saved = /^Saved\. e2e-helpdesk is now Approver/;
    await expectText(role.getByRole('status'), saved, 'the role save result');
    await expectText(fact(admin, 'Role'), 'Approver', 'the role after the save');

    const status = section(admin, 'Status');
    await status.getByRole('button', { name: 'Deactivate', ...exact }).click();
    await expectText(status.getByRole('status'), /^Deactivated\. /, 'the deactivation result');
    await expectText(fact(admin, 'Status'), 'Deactivated', 'the status after deactivation');
    await status.getByRole('button', { name: 'Activate', ...exact }).click();
    await expectText(status.getByRole('status'), /^Activated\. /, 'the activation result');
    await expectText(fact(admin, 'Status'), 'Active', 'the status after activation');

    const reset = section(admin, 'Reset password');
    await reset.getByLabel('New password', exact).fill('short');
    await reset.getByRole('button', { name: 'Reset password', ...exact }).click();
    const tooShort = 'must be at least 12 characters long';
    await expectText(fieldErrors(reset), tooShort, 'the reset password error');
    await reset.getByLabel('New password', exact).fill('e2e-helpdesk-password-2');
    await reset.getByRole('button', { name: 'Reset password', ...exact }).click();
    await expectText(reset.getByRole('status'), /^Password reset\. /, 'the password reset result');

    const removal = section(admin, 'Delete');
    await removal.getByRole('button', { name: 'Delete', ...exact }).click();
    await removal.getByText(`Delete the admin user ${HELPDESK.username}?`, { exact: false }).waitFor();
    await removal.getByRole('button', { name: 'Keep admin user', ...exact }).click();
    await removal.getByRole('button', { name: 'Delete', ...exact }).click();
    await removal.getByRole('button', { name: 'Confirm delete', ...exact }).click();

    // Deleting returns to the list, which no longer has the user.
    await admin.waitForURL(`${APP_URL}/ui/users`);
    await admin.getByRole('heading', { name: 'Admin users', ...exact }).waitFor();
    await admin.getByRole('link', { name: AUDITOR.username, ...exact }).waitFor();
    assert.equal(
      await admin.getByRole('link', { name: HELPDESK.username, ...exact }).count(),
      0,
      'the deleted admin user is not listed',
    );
  });

  run.step('auditor signs in', async () => {
    const page = await run.page('admin');
    await signOutOfAdmin(page);
    await signInToAdmin(page, AUDITOR);
    await expectText(mainNav(page).locator('.role'), 'Auditor', 'the role in the navigation');
  });

  run.step('auditor sees a read-only SPA', async () => {
    const page = await run.page('admin');
    const nav = mainNav(page);
    await nav.getByRole('link', { name: 'My account', ...exact }).waitFor();
    for (const name of ['Dashboard', 'Orders', 'Asset definitions', 'Settings', 'Audit log']) {
      assert.equal(await nav.getByRole('link', { name, ...exact }).count(), 1, `the navigation has ${name}`);
    }
    assert.equal(
      await nav.getByRole('link', { name: 'Admin users', ...exact }).count(),
      0,
      'the navigation of an auditor has no Admin users',
    );

    await followNavLink(page, 'Settings');
    await page.getByRole('heading', { name: 'Settings', ...exact }).waitFor();
    // Each section loads on its own, so the check waits for a field of each.
    for (const [region, field] of [
      ['Directory (LDAP)', 'Server'],
      ['E-mail (SMTP)', 'SMTP server'],
      ['Portal sign-in (OpenID Connect)', 'Issuer URL'],
    ]) {
      const input = section(page, region).getByLabel(field, exact);
      await input.waitFor();
      assert.equal(await input.isDisabled(), true, `${field} in ${region} is read-only`);
    }
    for (const name of [
      'Save directory settings',
      'Test directory connection',
      'Save e-mail settings',
      'Test e-mail connection',
      'Save sign-in settings',
    ]) {
      const buttons = await page.getByRole('button', { name, ...exact }).count();
      assert.equal(buttons, 0, `Settings has no ${name} button`);
    }

    await followNavLink(page, 'Asset definitions');
    await page.getByRole('heading', { name: 'Asset definitions', ...exact }).waitFor();
    await page.getByText('No asset definitions yet.', exact).waitFor();
    assert.equal(
      await page.getByRole('link', { name: 'New asset definition', ...exact }).count(),
      0,
      'Asset definitions has no New asset definition link',
    );

    // Typing the address shows the permission notice instead of the list.
    await page.goto(`${APP_URL}/ui/users`);
    await page.getByRole('heading', { name: 'Admin users', ...exact }).waitFor();
    const notice = 'Your role does not allow you to see this page.';
    await expectText(page.getByRole('alert'), notice, 'the users page of an auditor');
    assert.equal(
      await page.getByRole('button', { name: 'Create admin user', ...exact }).count(),
      0,
      'the users page of an auditor has no create button',
    );
  });

  run.step('auditor reads the audit log', async () => {
    const page = await run.page('admin');
    await followNavLink(page, 'Audit log');
    await page.getByRole('heading', { name: 'Audit log', ...exact }).waitFor();
    const createRows = auditRows(page, 'admin_user.create');
    await createRows.first().waitFor();
    assert.equal(await createRows.count(), 2, 'the audit log has a row for each created admin user');
    const actor = `admin:session:${ADMIN.username}:superadmin`;
    await expectText(createRows.first().getByRole('cell').nth(1), actor, 'the actor of the create entry');

    const deleteRows = auditRows(page, 'admin_user.delete');
    assert.equal(await deleteRows.count(), 1, 'the audit log has the delete');
  });

  run.step('auditor changes own password', async () => {
    // A second browser of the auditor, whose session the change ends.
    const elsewhere = await run.page('auditor-elsewhere');
    await elsewhere.goto(`${APP_URL}/ui/`);
    await signInToAdmin(elsewhere, AUDITOR);

    const page = await run.page('admin');
    await followNavLink(page, 'My account');
    await page.getByRole('heading', { name: 'My account', ...exact }).waitFor();
    await expectText(fact(page, 'Username'), AUDITOR.username, 'the account username');
    await expectText(fact(page, 'Role'), 'Auditor', 'the account role');

    const form = section(page, 'Change password');
    const submit = form.getByRole('button', { name: 'Change password', ...exact });
    const fill = async (current, next, confirmation) => {
      await form.getByLabel('Current password', exact).fill(current);
      await form.getByLabel('New password', exact).fill(next);
      await form.getByLabel('Confirm new password', exact).fill(confirmation);
    };

    await fill(AUDITOR.password, NEW_AUDITOR_PASSWORD, 'something-else-12');
    await submit.click();
    const mismatch = 'does not match the new password';
    await expectText(fieldErrors(form), mismatch, 'the confirmation error');

    await fill('not-the-password-1', NEW_AUDITOR_PASSWORD, NEW_AUDITOR_PASSWORD);
    await submit.click();
    const wrongCurrent = /The current password is wrong\./;
    await expectText(form.getByRole('alert'), wrongCurrent, 'the wrong current password error');

    await fill(AUDITOR.password, NEW_AUDITOR_PASSWORD, NEW_AUDITOR_PASSWORD);
    await submit.click();
    await expectText(
      form.getByRole('status'),
      'Password changed. Your other sessions have ended.',
      'the password change result',
    );

    // The next write sends the CSRF token of the new session. A stale token would get the
    // CSRF error instead of the password check.
    await fill(AUDITOR.password, 'e2e-auditor-password-3', 'e2e-auditor-password-3');
    await submit.click();
    await expectText(form.getByRole('alert'), wrongCurrent, 'the old password as current password');

    await elsewhere.reload();
    await elsewhere.getByRole('heading', { name: 'Sign in', ...exact }).waitFor();
  });

  run.step('auditor signs in with the new password', async () => {
    const page = await run.page('admin');
    await signOutOfAdmin(page);

    await page.getByLabel('Username', exact).fill(AUDITOR.username);
    await page.getByLabel('Password', exact).fill(AUDITOR.password);
    await page.getByRole('button', { name: 'Sign in', ...exact }).click();
    await expectText(
      page.getByRole('alert'),
      /The username or password is wrong, or the account is deactivated\./,
      'the sign-in with the old password',
    );

    await signInToAdmin(page, { ...AUDITOR, password: NEW_AUDITOR_PASSWORD });
    await followNavLink(page, 'My account');
    await expectText(fact(page, 'Username'), AUDITOR.username, 'the account after signing in again');
  });
});
