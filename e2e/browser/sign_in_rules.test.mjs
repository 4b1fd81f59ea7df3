// Sign-in rules and decisions in the admin SPA, in one Chromium. The legacy admin key signs in
// on the form as a superadmin without an account. An expired password, and a role that must
// use two-factor sign-in, confine a session to My account until the admin fixes it there. An
// approver decides an order in the admin SPA, and separation of duties rejects the
// requester's own admin account.
//
//   cd e2e && node --test browser/sign_in_rules.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs. The server gets
// an ADMIN_API_KEY of its own.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';

import { adminRequest, createAdminUserByApi } from './lib/admin_api.mjs';
import { APP_URL } from './lib/config.mjs';
import { runSql } from './lib/database.mjs';
import { assertTimeline, expectText, fact, reloadUntilFact, timelineItems } from './lib/checks.mjs';
import {
  JANE,
  MANAGER_EMAIL,
  followNavLink,
  placeOrder,
  setUpInstallation,
  signInToAdmin,
  signInToPortal,
} from './lib/flows.mjs';
import { sameDn } from './lib/ldap.mjs';
import { TestRun } from './lib/run.mjs';
import { decodeBase32, totp } from './lib/totp.mjs';

const exact = { exact: true };

const LEGACY_KEY = randomBytes(32).toString('hex');
const LEGACY_HINT = 'Leave it blank to sign in with the legacy admin key as the password.';
const LEGACY_NOTE =
  /^The legacy admin key belongs to no account, so it has no password, two-factor sign-in or sessions to manage; create an admin user for yourself under Admin users and sign in with that account instead\.$/;
const TOTP_REQUIRED =
  'Your role must sign in with two-factor authentication; set it up in My account before anything else.';
const PASSWORD_EXPIRED =
  'Your password has expired under the password policy; change it in My account before anything else.';
const SELF_APPROVAL =
  /Separation of duties: the requester of an order cannot decide it\. Another approver must decide it\./;

const AUDITOR = { username: 'e2e-auditor', password: 'e2e-auditor-password-1', role: 'auditor' };
// Its password is made older than the policy's maximum age.
const HELPDESK = { username: 'e2e-helpdesk', password: 'e2e-helpdesk-password-1', role: 'helpdesk' };
const NEW_HELPDESK_PASSWORD = 'e2e-helpdesk-password-2';
// An approver who is Jane's manager, and an admin account of Jane herself.
const APPROVER = {
  username: 'e2e-mfinch',
  password: 'e2e-mfinch-password-1',
  role: 'approver',
  email: MANAGER_EMAIL,
};
const REQUESTER_ADMIN = {
  username: 'e2e-jdoe',
  password: 'e2e-jdoe-password-1',
  role: 'approver',
  email: JANE.email,
};

function mainNav(page) {
  return page.getByRole('navigation', { name: 'Main', ...exact });
}

function section(page, name) {
  return page.getByRole('region', { name, ...exact });
}

async function navLinkNames(page) {
  const links = await mainNav(page).getByRole('link').allInnerTexts();
  return links.map((text) => text.trim());
}

// Waits until the admin SPA shows My account.
async function onMyAccount(page) {
  await page.waitForURL(`${APP_URL}/ui/account`);
  await page.getByRole('heading', { name: 'My account', ...exact }).waitFor();
}

async function openOrder(page, orderId, assetName) {
  await page.goto(`${APP_URL}/ui/orders/${orderId}`);
  await page.getByRole('heading', { name: assetName, ...exact }).waitFor();
  await expectText(fact(page, 'Order ID'), orderId, 'the order on the page');
}

// Clicks DECISION ("Approve" or "Decline") on the open order, then its confirmation.
async function decide(page, decision) {
  await page.getByRole('button', { name: decision, ...exact }).click();
  const confirmation = decision === 'Approve' ? 'Confirm approval' : 'Confirm decline';
  await page.getByText(`${decision} ${JANE.displayName}'s order for`, { exact: false }).waitFor();
  await page.getByRole('button', { name: confirmation, ...exact }).click();
}

describe('sign-in rules', () => {
  const run = new TestRun('sign-in-rules', { serverEnv: { ADMIN_API_KEY: LEGACY_KEY } });
  run.hooks();

  const assetName = `Ledger access ${randomBytes(4).toString('hex')}`;
  let orderId;

  run.step('administrator sets up a new installation', async () => {
    const admin = await run.page('admin');
    await setUpInstallation(admin, run.env, { assetName, groupDn: run.groupDn });
  });

  run.step('legacy key signs in without username', async () => {
    const page = await run.page('legacy');
    await page.goto(`${APP_URL}/ui/`);
    await page.getByRole('heading', { name: 'Sign in', ...exact }).waitFor();
    await page.getByText(LEGACY_HINT, exact).waitFor();
    const username = page.getByLabel('Username', exact);
    assert.equal(await username.getAttribute('required'), null, 'the username is not required');
    assert.equal(await username.inputValue(), '', 'the username starts blank');
    const signIn = page.getByRole('button', { name: 'Sign in', ...exact });

    // A blank username goes to the server, which checks the key.
    await page.getByLabel('Password', exact).fill('not-the-legacy-key');
    await signIn.click();
    const wrong = /The username or password is wrong, or the account is deactivated\./;
    await expectText(page.getByRole('alert'), wrong, 'the sign-in with a wrong key');
    assert.equal(await page.locator('.field-error').count(), 0, 'no field error for the blank username');

    await page.getByLabel('Password', exact).fill(LEGACY_KEY);
    await signIn.click();
    await mainNav(page).getByText('legacy-key', exact).waitFor();
    await expectText(mainNav(page).locator('.role'), 'Superadmin', 'the role in the navigation');

    // The whole SPA is open, as for any superadmin.
    await followNavLink(page, 'Admin users');
    await page.getByRole('heading', { name: 'Admin users', ...exact }).waitFor();
    await page.getByRole('link', { name: 'e2e-admin', ...exact }).waitFor();
  });

  run.step('My account explains the legacy key', async () => {
    const page = await run.page('legacy');
    await followNavLink(page, 'My account');
    await page.getByRole('heading', { name: 'My account', ...exact }).waitFor();
    await expectText(fact(page, 'Username'), 'legacy-key', 'the account username');
    await expectText(fact(page, 'Role'), 'Superadmin', 'the account role');
    await expectText(section(page, 'Legacy admin key').getByRole('paragraph'), LEGACY_NOTE, 'the note');
    for (const name of ['Change password', 'Two-factor sign-in', 'Signed-in sessions']) {
      assert.equal(await section(page, name).count(), 0, `My account has no ${name} section`);
    }
    assert.equal(await page.getByRole('alert').count(), 0, 'My account shows no error');
  });

  run.step('superadmin sets rules and accounts', async () => {
    const admin = await run.page('admin');
    const settings = await adminRequest(admin, 'GET', '/api/v1/settings/security');
    const saved = await adminRequest(admin, 'PUT', '/api/v1/settings/security', {
      ...settings,
      password_policy: { ...settings.password_policy, max_age_days: 90 },
      totp_required_roles: ['auditor'],
    });
    assert.deepEqual(saved.totp_required_roles, ['auditor'], 'the saved roles');
    assert.equal(saved.password_policy.max_age_days, 90, 'the saved maximum password age');
    for (const account of [AUDITOR, HELPDESK, APPROVER, REQUESTER_ADMIN]) {
      await createAdminUserByApi(admin, account);
    }
    await runSql(
      run.databaseUrl,
      `update admin_users set password_changed_at = now() - interval '100 days' where username = '${HELPDESK.username}'`,
    );
  });

  run.step('expired password confines to My account', async () => {
    const page = await run.page('helpdesk');
    await page.goto(`${APP_URL}/ui/orders`);
    await signInToAdmin(page, HELPDESK);
    await onMyAccount(page);
    await expectText(page.getByRole('alert'), PASSWORD_EXPIRED, 'the restriction banner');
    assert.deepEqual(await navLinkNames(page), ['My account'], 'the navigation of a restricted session');

    const form = section(page, 'Change password');
    await form.getByLabel('Current password', exact).fill(HELPDESK.password);
    await form.getByLabel('New password', exact).fill(NEW_HELPDESK_PASSWORD);
    await form.getByLabel('Confirm new password', exact).fill(NEW_HELPDESK_PASSWORD);
    await form.getByRole('button', { name: 'Change password', ...exact }).click();
    await expectText(
      form.getByRole('status'),
      'Password changed. Your other sessions have ended.',
      'the password change result',
    );

    // The session from the server has no restriction, so the SPA opens up without a reload.
    await page.getByText(PASSWORD_EXPIRED, exact).waitFor({ state: 'detached' });
    await followNavLink(page, 'Orders');
    await page.getByRole('heading', { name: 'Orders', ...exact }).waitFor();
    await page.getByText('No orders match.', exact).waitFor();
    assert.equal(await page.getByRole('alert').count(), 0, 'the orders page shows no error');
  });

  run.step('auditor reaches only My account', async () => {
    const page = await run.page('auditor');
    await page.goto(`${APP_URL}/ui/audit`);
    await signInToAdmin(page, AUDITOR);
    await onMyAccount(page);
    await expectText(page.getByRole('alert'), TOTP_REQUIRED, 'the restriction banner');
    assert.deepEqual(await navLinkNames(page), ['My account'], 'the navigation of a restricted session');
    await mainNav(page).getByRole('button', { name: 'Sign out', ...exact }).waitFor();

    // Typing another address leads back to My account.
    await page.goto(`${APP_URL}/ui/audit`);
    await onMyAccount(page);
    await expectText(page.getByRole('alert'), TOTP_REQUIRED, 'the banner after opening the audit log');
  });

  run.step('auditor sets up two-factor sign-in', async () => {
    const page = await run.page('auditor');
    const twoFactor = section(page, 'Two-factor sign-in');
    await twoFactor.getByRole('button', { name: 'Set up two-factor sign-in', ...exact }).click();
    const shownSecret = await expectText(
      fact(twoFactor, 'Secret key'),
      /^([A-Z2-7]{4} )*[A-Z2-7]{1,4}$/,
      'the secret key',
    );
    const secret = decodeBase32(shownSecret);
    await twoFactor.getByLabel('Code from your app', exact).fill(totp(secret));
    await twoFactor.getByRole('button', { name: 'Turn on two-factor sign-in', ...exact }).click();
    await expectText(fact(twoFactor, 'Status'), 'On', 'the two-factor status after the setup');

    // The banner goes and the navigation fills without a reload.
    await page.getByText(TOTP_REQUIRED, exact).waitFor({ state: 'detached' });
    await mainNav(page).getByRole('link', { name: 'Audit log', ...exact }).waitFor();
    const links = await navLinkNames(page);
    for (const name of ['Dashboard', 'Orders', 'Audit log', 'API tokens', 'My account']) {
      assert.ok(links.includes(name), `the navigation has ${name}: ${JSON.stringify(links)}`);
    }

    await followNavLink(page, 'Audit log');
    await page.waitForURL(`${APP_URL}/ui/audit`);
    await page.getByRole('heading', { name: 'Audit log', ...exact }).waitFor();
    const createRows = page
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: 'admin_user.create', ...exact }) });
    await createRows.first().waitFor();
    assert.equal(await page.getByRole('alert').count(), 0, 'the audit log shows no error');
  });

  run.step('employee orders through the portal', async () => {
    const employee = await run.page('employee');
    await signInToPortal(employee, run.env, JANE);
    const url = await placeOrder(employee, {
      assetName,
      days: 14,
      justification: 'Quarter-end review of the ledgers.',
    });
    orderId = new URL(url).pathname.split('/').pop();
    await expectText(fact(employee, 'State'), 'Waiting for approval', 'the new order state');

    // An auditor may read the order but not decide it.
    const auditor = await run.page('auditor');
    await openOrder(auditor, orderId, assetName);
    await expectText(fact(auditor, 'State'), 'Waiting for approval', 'the order for the auditor');
    assert.equal(
      await auditor.getByRole('button', { name: 'Approve', ...exact }).count(),
      0,
      'an auditor gets no Approve button',
    );
  });

  run.step("requester's admin account cannot approve", async () => {
    const page = await run.page('requester-admin');
    await page.goto(`${APP_URL}/ui/orders/${orderId}`);
    await signInToAdmin(page, REQUESTER_ADMIN);
    await page.getByRole('heading', { name: assetName, ...exact }).waitFor();

    await decide(page, 'Approve');
    await expectText(page.getByRole('alert'), SELF_APPROVAL, 'the separation of duties rejection');
    await page.reload();
    await expectText(fact(page, 'State'), 'Waiting for approval', 'the order after the rejection');
  });

  run.step('approver approves in the admin SPA', async () => {
    const page = await run.page('approver-admin');
    await page.goto(`${APP_URL}/ui/`);
    await signInToAdmin(page, APPROVER);
    await followNavLink(page, 'Orders');
    await page.getByRole('heading', { name: 'Orders', ...exact }).waitFor();
    await page.getByRole('link', { name: assetName, ...exact }).click();
    await page.getByRole('heading', { name: assetName, ...exact }).waitFor();
    await expectText(fact(page, 'Category'), 'Finance', 'the category of the order');

    // Backing out of the confirmation sends nothing.
    await page.getByRole('button', { name: 'Decline', ...exact }).click();
    await page.getByRole('button', { name: 'Decide later', ...exact }).click();
    await expectText(fact(page, 'State'), 'Waiting for approval', 'the order after backing out');

    await decide(page, 'Approve');
    await expectText(
      page.getByRole('status'),
      /^Approved\. The order is now (Approved|Provisioning|Active)\.$/,
      'the decision result',
    );
    await expectText(fact(page, 'State'), /^(Approved|Provisioning|Active)$/, 'the state after the decision');
    await reloadUntilFact(page, 'State', 'Active', 'the approved order');
    assert.equal(
      await page.getByRole('button', { name: 'Approve', ...exact }).count(),
      0,
      'a decided order has no Approve button',
    );
    assertTimeline(
      await timelineItems(page),
      [
        'Submitted',
        'Submitted → Waiting for approval',
        'Waiting for approval → Approved',
        'Approved → Provisioning',
        'Provisioning → Active',
      ],
      'the admin timeline',
    );

    const members = await run.directory.members(run.groupDn);
    assert.ok(
      members.some((dn) => sameDn(dn, JANE.dn)),
      `${run.groupDn} has the member ${JANE.dn}: ${JSON.stringify(members)}`,
    );
  });
});
