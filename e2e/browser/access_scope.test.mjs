// Access scopes and separation of duties in one Chromium. The first administrator creates an
// approver for one asset definition, then narrows the approver to a category instead. A rule
// that one person may not be admin and approver at once rejects a second account of the
// approver, and a new rule that existing accounts break is rejected. Then the password age and
// the roles that need two-factor sign-in are saved, and an auditor sees them read-only.
//
//   cd e2e && node --test browser/access_scope.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';

import { APP_URL } from './lib/config.mjs';
import { expectText, fact, waitUntil } from './lib/checks.mjs';
import { createDefinition, createFirstAdmin, followNavLink, signInToAdmin } from './lib/flows.mjs';
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };

// One person with two accounts, known by the mail address they share.
const PERSON_EMAIL = 'pat.approver@example.test';
const APPROVER = { username: 'e2e-approver', password: 'e2e-approver-password-1' };
const SECOND_ACCOUNT = { username: 'e2e-approver-helpdesk', password: 'e2e-helpdesk-password-1' };
const REJECTED_ADMIN = { username: 'e2e-approver-admin', password: 'e2e-admin2-password-1' };
const AUDITOR = { username: 'e2e-auditor', password: 'e2e-auditor-password-1' };

const LISTED = 'Only the asset definitions and categories chosen below';
const MAX_AGE = 'Maximum password age (days, 0 = never)';
const TOTP_ROLES = 'Roles that must use two-factor sign-in';

function section(page, name) {
  return page.getByRole('region', { name, ...exact });
}

function group(scope, name) {
  return scope.getByRole('group', { name, ...exact });
}

function fieldErrors(scope) {
  return scope.locator('.field-error');
}

function userRow(page, username) {
  return page.getByRole('row').filter({ has: page.getByRole('link', { name: username, ...exact }) });
}

async function openUsers(page) {
  await followNavLink(page, 'Admin users');
  await page.getByRole('heading', { name: 'Admin users', ...exact }).waitFor();
}

async function openAdminUser(page, username) {
  await openUsers(page);
  await page.getByRole('link', { name: username, ...exact }).click();
  await page.getByRole('heading', { name: username, ...exact }).waitFor();
}

// Opens Settings and returns the Security section once its form has loaded.
async function openSecurity(page) {
  await followNavLink(page, 'Settings');
  await page.getByRole('heading', { name: 'Settings', ...exact }).waitFor();
  const security = section(page, 'Security');
  await security.getByLabel(MAX_AGE, exact).waitFor();
  return security;
}

// Fills the "New admin user" form without submitting it.
async function fillNewUser(form, { username, password, role, email }) {
  await form.getByLabel('Username', exact).fill(username);
  await form.getByLabel('Password', exact).fill(password);
  await form.getByLabel('Role', exact).selectOption({ label: role });
  await form.getByLabel('Mail address', exact).fill(email ?? '');
}

async function createUser(form, person) {
  await fillNewUser(form, person);
  await form.getByRole('button', { name: 'Create admin user', ...exact }).click();
  const created = new RegExp(`^Created the admin user ${person.username} `);
  await expectText(form.getByRole('status'), created, `the creation of ${person.username}`);
}

async function selectedLabel(select) {
  return (await select.locator('option:checked').innerText()).trim();
}

// Returns the roles of each conflicting pair the Security section shows, as [first, second].
async function shownPairs(security) {
  const rows = group(security, 'Separation of duties').getByRole('listitem');
  const pairs = [];
  for (let index = 0; index < (await rows.count()); index += 1) {
    const number = index + 1;
    pairs.push([
      await selectedLabel(rows.nth(index).getByLabel(`First role of pair ${number}`, exact)),
      await selectedLabel(rows.nth(index).getByLabel(`Second role of pair ${number}`, exact)),
    ]);
  }
  return pairs;
}

describe('access scopes and separation of duties', () => {
  const run = new TestRun('access-scope');
  run.hooks();

  const assetName = `Ledger access ${randomBytes(4).toString('hex')}`;

  run.step('administrator creates an asset definition', async () => {
    const admin = await run.page('admin');
    await createFirstAdmin(admin);
    // The definition's category is Finance.
    await createDefinition(admin, { name: assetName, groupDn: run.groupDn });
  });

  run.step('administrator creates an approver for that definition', async () => {
    const admin = await run.page('admin');
    await openUsers(admin);
    const form = section(admin, 'New admin user');
    assert.equal(
      await form.getByLabel('Every asset definition', exact).isChecked(),
      true,
      'a new admin user covers every asset definition unless narrowed',
    );

    // The form checks the mail address and an empty list before any request.
    await fillNewUser(form, { ...APPROVER, role: 'Approver', email: 'pat.approver' });
    await form.getByLabel(LISTED, exact).check();
    await form.getByRole('button', { name: 'Create admin user', ...exact }).click();
    const badAddress = 'must be a mail address such as jane.doe@example.com';
    await expectText(fieldErrors(form), badAddress, 'the mail address error');
    const emptyList =
      'choose at least one asset definition or category, or choose Every asset definition';
    await expectText(fieldErrors(form), emptyList, 'the empty scope error');

    await form.getByLabel(assetName, exact).check();
    await createUser(form, { ...APPROVER, role: 'Approver', email: PERSON_EMAIL });
    assert.equal(
      await form.getByLabel('Every asset definition', exact).isChecked(),
      true,
      'the form starts over with every asset definition',
    );
    const cells = userRow(admin, APPROVER.username).getByRole('cell');
    await expectText(cells.nth(1), 'Approver', 'the role column of the approver');
    await expectText(cells.nth(3), '1 definition', 'the scope column of the approver');
    await expectText(cells.nth(4), PERSON_EMAIL, 'the mail address column of the approver');
  });

  run.step('administrator narrows the approver to a category', async () => {
    const admin = await run.page('admin');
    await openAdminUser(admin, APPROVER.username);
    await expectText(fact(admin, 'Access scope'), `Asset definition: ${assetName}`, 'the scope in words');
    await expectText(fact(admin, 'Mail address'), PERSON_EMAIL, 'the mail address');
    await expectText(fact(admin, 'Two-factor sign-in'), 'Off', 'the two-factor state');
    await expectText(
      fact(admin, 'Password last changed'),
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/,
      'when the password was last changed',
    );

    const access = section(admin, 'Mail address and access scope');
    await access.getByText("Saving a changed access scope ends the user's sessions.", exact).waitFor();
    assert.equal(await access.getByLabel(LISTED, exact).isChecked(), true, 'the scope is a list');
    const definition = access.getByLabel(assetName, exact);
    assert.equal(await definition.isChecked(), true, 'the stored definition is ticked');
    await definition.uncheck();
    await access.getByLabel('Categories', exact).fill('Finance');
    await access.getByRole('button', { name: 'Save', ...exact }).click();
    const saved = /^Saved\. The access scope of e2e-approver changed, and their sessions have ended\.$/;
    await expectText(access.getByRole('status'), saved, 'the scope save result');
    await expectText(fact(admin, 'Access scope'), 'Category: Finance', 'the new scope in words');

    await admin.reload();
    await admin.getByRole('heading', { name: APPROVER.username, ...exact }).waitFor();
    await expectText(fact(admin, 'Access scope'), 'Category: Finance', 'the stored scope');
    const categories = section(admin, 'Mail address and access scope').getByLabel('Categories', exact);
    assert.equal(await categories.inputValue(), 'Finance', 'the stored categories');
  });

  run.step('administrator forbids admin and approver for one person', async () => {
    const admin = await run.page('admin');
    const security = await openSecurity(admin);
    const duties = group(security, 'Separation of duties');
    const selfApproval = 'Nobody approves an order they requested or placed for someone else';
    const selfApprovalChecked = await duties.getByLabel(selfApproval, exact).isChecked();
    assert.equal(selfApprovalChecked, true, 'self-approval is rejected by default');
    await duties.getByText('No conflicting role pairs.', exact).waitFor();

    await duties.getByRole('button', { name: 'Add pair', ...exact }).click();
    const newPairs = await shownPairs(security);
    assert.deepEqual(newPairs, [['Admin', 'Approver']], 'a new pair starts as admin and approver');
    await security.getByRole('button', { name: 'Save security settings', ...exact }).click();
    await expectText(security.getByRole('status'), /^Saved\./, 'the security save result');
  });

  run.step('the approver cannot also get an admin account', async () => {
    const admin = await run.page('admin');
    await openUsers(admin);
    const form = section(admin, 'New admin user');
    await fillNewUser(form, { ...REJECTED_ADMIN, role: 'Admin', email: PERSON_EMAIL });
    await form.getByRole('button', { name: 'Create admin user', ...exact }).click();
    const rejection = new RegExp(
      `^Conflict\\s+Separation of duties: ${PERSON_EMAIL} may not hold admin and approver at once, ` +
        'and e2e-approver is already approver\\.',
    );
    await expectText(form.getByRole('alert'), rejection, 'the separation-of-duties rejection');
    assert.equal(
      await admin.getByRole('link', { name: REJECTED_ADMIN.username, ...exact }).count(),
      0,
      'the rejected account is not listed',
    );

    // Roles outside the rules stay open to the same person.
    await createUser(form, { ...SECOND_ACCOUNT, role: 'Helpdesk', email: PERSON_EMAIL });
    await createUser(form, { ...AUDITOR, role: 'Auditor' });
  });

  run.step('rules that existing accounts break are rejected', async () => {
    const admin = await run.page('admin');
    const security = await openSecurity(admin);
    const duties = group(security, 'Separation of duties');
    const save = security.getByRole('button', { name: 'Save security settings', ...exact });

    // The form rejects a pair of one role before any request.
    await duties.getByRole('button', { name: 'Add pair', ...exact }).click();
    await duties.getByLabel('First role of pair 2', exact).selectOption({ label: 'Approver' });
    await save.click();
    await expectText(fieldErrors(duties), 'Entry 2: must name two different roles', 'the same-role error');

    await duties.getByLabel('Second role of pair 2', exact).selectOption({ label: 'Helpdesk' });
    await save.click();
    const broken =
      'existing accounts already break these rules; change them first: ' +
      `${PERSON_EMAIL} holds approver and helpdesk through e2e-approver and e2e-approver-helpdesk`;
    await expectText(fieldErrors(duties), broken, 'the accounts that break the new pair');

    await duties.getByRole('listitem').nth(1).getByRole('button', { name: 'Remove', ...exact }).click();
    assert.deepEqual(await shownPairs(security), [['Admin', 'Approver']], 'the pairs after the removal');
  });

  run.step('password age and two-factor roles are kept', async () => {
    const admin = await run.page('admin');
    const security = section(admin, 'Security');
    await security.getByLabel(MAX_AGE, exact).fill('90');
    await group(security, TOTP_ROLES).getByLabel('Helpdesk', exact).check();
    await security.getByRole('button', { name: 'Save security settings', ...exact }).click();
    await expectText(security.getByRole('status'), /^Saved\./, 'the security save result');

    await admin.reload();
    const reloaded = await openSecurity(admin);
    const maxAge = reloaded.getByLabel(MAX_AGE, exact);
    await waitUntil('the saved maximum password age after a reload', async (state) => {
      const value = await maxAge.inputValue();
      state.detail = JSON.stringify(value);
      return value === '90' ? value : undefined;
    });
    const totpRoles = group(reloaded, TOTP_ROLES);
    for (const role of ['Superadmin', 'Admin', 'Approver', 'Auditor', 'Helpdesk']) {
      const expected = role === 'Helpdesk';
      const checked = await totpRoles.getByLabel(role, exact).isChecked();
      assert.equal(checked, expected, `${role} needs two-factor sign-in: ${expected}`);
    }
    assert.deepEqual(await shownPairs(reloaded), [['Admin', 'Approver']], 'the stored pairs');
  });

  run.step('an auditor sees the rules read-only', async () => {
    const page = await run.page('auditor');
    await page.goto(`${APP_URL}/ui/`);
    await signInToAdmin(page, AUDITOR);
    const security = await openSecurity(page);
    const maxAge = security.getByLabel(MAX_AGE, exact);
    await waitUntil('the maximum password age for the auditor', async (state) => {
      const value = await maxAge.inputValue();
      state.detail = JSON.stringify(value);
      return value === '90' ? value : undefined;
    });
    assert.equal(await maxAge.isDisabled(), true, 'the maximum password age is read-only');
    const helpdesk = group(security, TOTP_ROLES).getByLabel('Helpdesk', exact);
    assert.equal(await helpdesk.isChecked(), true, 'the auditor sees the two-factor roles');
    assert.equal(await helpdesk.isDisabled(), true, 'the two-factor roles are read-only');
    const duties = group(security, 'Separation of duties');
    const pairDisabled = await duties.getByLabel('First role of pair 1', exact).isDisabled();
    assert.equal(pairDisabled, true, 'the pairs are read-only');
    for (const name of ['Add pair', 'Remove', 'Save security settings']) {
      const buttons = await security.getByRole('button', { name, ...exact }).count();
      assert.equal(buttons, 0, `Security has no ${name} button`);
    }
  });
});
