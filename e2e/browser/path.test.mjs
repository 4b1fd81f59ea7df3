// The whole order path in one Chromium. An administrator sets up a new installation and an
// employee orders access through the portal. Her manager approves it from the e-mail link, the
// server adds her to the directory group, and she returns the access again.
//
//   cd e2e && node --test browser/path.test.mjs
//
// Needs the test services and their exported variables (see e2e/test.sh), PostgreSQL,
// Redis, target/debug/ipsolis and frontend/dist. Uses the database ipsolis_e2e and port 18080.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';

import { APP_URL } from './lib/config.mjs';
import { assertTimeline, expectText, fact, reloadUntilFact, timelineItems } from './lib/checks.mjs';
import {
  JANE,
  MANAGER_EMAIL,
  followNavLink,
  placeOrder,
  setUpInstallation,
  signInToPortal,
} from './lib/flows.mjs';
import { sameDn } from './lib/ldap.mjs';
import { linkAfterLabel, waitForMail } from './lib/mail.mjs';
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };
const DAY_MS = 24 * 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;

// Parses the "YYYY-MM-DD HH:MM" text the SPA shows, in the UTC time zone the contexts use.
function parseShownTime(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(text);
  assert.ok(match, `"${text}" is a date and time shown as YYYY-MM-DD HH:MM`);
  const [year, month, day, hour, minute] = match.slice(1).map(Number);
  return Date.UTC(year, month - 1, day, hour, minute);
}

describe('order path', () => {
  const run = new TestRun('path');
  run.hooks();

  const assetName = `Finance app access ${randomBytes(4).toString('hex')}`;
  const justification = 'Month-end closing needs read access to the ledgers.';
  let orderUrl;
  let orderedAt;
  let approvalMail;

  run.step('administrator sets up a new installation', async () => {
    const admin = await run.page('admin');
    await setUpInstallation(admin, run.env, { assetName, groupDn: run.groupDn });
  });

  run.step('employee orders through the portal', async () => {
    const employee = await run.page('employee');
    await signInToPortal(employee, run.env, JANE);
    orderedAt = Date.now();
    orderUrl = await placeOrder(employee, { assetName, days: 30, justification });

    await expectText(fact(employee, 'State'), 'Waiting for approval', 'the new order state');
    await expectText(fact(employee, 'Duration'), '30 days', 'the ordered duration');
    await expectText(fact(employee, 'Justification'), justification, 'the ordered justification');
  });

  run.step('manager receives the approval e-mail', async () => {
    approvalMail = await waitForMail(run.env.MAIL_API, {
      to: MANAGER_EMAIL,
      subject: `Approval needed: ${assetName} for ${JANE.displayName}`,
    });
    assert.ok(
      approvalMail.text.includes(justification),
      `the approval mail quotes the justification:\n${approvalMail.text}`,
    );
    assert.ok(approvalMail.html.includes('>Approve</a>'), 'the HTML part has an Approve link');
  });

  run.step('manager approves through the link', async () => {
    const link = linkAfterLabel(approvalMail.text, 'Approve');
    const decidePage = `${APP_URL}/portal/decide#`;
    assert.ok(link.startsWith(decidePage), `the Approve link opens ${decidePage}: ${link}`);

    // The approver opens the link without any session.
    const approver = await run.page('approver');
    await approver.goto(link);
    await approver.getByRole('heading', { name: 'Approve request', ...exact }).waitFor();
    await expectText(fact(approver, 'Requester'), `${JANE.displayName}\n${JANE.email}`, 'the requester');
    await expectText(fact(approver, 'Asset'), assetName, 'the asset');
    await expectText(fact(approver, 'Duration'), '30 days', 'the duration');
    await expectText(fact(approver, 'Justification'), justification, 'the justification');

    await approver.getByRole('button', { name: 'Approve', ...exact }).click();
    await expectText(approver.getByRole('status'), /^Approved — the order is now /, 'the decision result');
  });

  run.step('order becomes active and grants the group', async () => {
    const employee = await run.page('employee');
    await employee.goto(orderUrl);
    await reloadUntilFact(employee, 'State', 'Active', 'the approved order');

    const expires = parseShownTime((await fact(employee, 'Expires').innerText()).trim());
    const expected = orderedAt + 30 * DAY_MS;
    assert.ok(
      Math.abs(expires - expected) < 10 * MINUTE_MS,
      `the order expires 30 days after it was placed: ${new Date(expires).toISOString()}`,
    );

    const members = await run.directory.members(run.groupDn);
    assert.ok(
      members.some((dn) => sameDn(dn, JANE.dn)),
      `${run.groupDn} has the member ${JANE.dn}: ${JSON.stringify(members)}`,
    );

    const granted = await waitForMail(run.env.MAIL_API, {
      to: JANE.email,
      subject: `Access granted: ${assetName}`,
    });
    assert.ok(
      granted.text.includes('your access is active until'),
      `the granted mail gives the end date:\n${granted.text}`,
    );
  });

  run.step('administrator sees the order timeline', async () => {
    const admin = await run.page('admin');
    await followNavLink(admin, 'Orders');
    await admin.getByRole('heading', { name: 'Orders', ...exact }).waitFor();
    const assetLink = admin.getByRole('link', { name: assetName, ...exact });
    const row = admin.getByRole('row').filter({ has: assetLink });
    await expectText(row.getByRole('cell').nth(2), 'Active', 'the state column of the order');
    await assetLink.click();

    await admin.getByRole('heading', { name: assetName, ...exact }).waitFor();
    await expectText(fact(admin, 'State'), 'Active', 'the order state');
    await expectText(fact(admin, 'Justification'), justification, 'the justification');
    await admin.getByRole('heading', { name: 'Timeline', ...exact }).waitFor();
    assertTimeline(
      await timelineItems(admin),
      [
        'Submitted',
        'Submitted → Waiting for approval',
        'Waiting for approval → Approved',
        'Approved → Provisioning',
        'Provisioning → Active',
      ],
      'the admin timeline',
    );
  });

  run.step('employee returns the access', async () => {
    const employee = await run.page('employee');
    await followNavLink(employee, 'My IT');
    await employee.getByRole('heading', { name: 'My IT', ...exact }).waitFor();

    // The asset's row under "Active access" has the Return button. Its row under "My orders"
    // has none.
    const activeRow = employee
      .getByRole('row')
      .filter({ has: employee.getByRole('link', { name: assetName, ...exact }) })
      .filter({ has: employee.getByRole('button', { name: 'Return', ...exact }) });
    await activeRow.getByRole('button', { name: 'Return', ...exact }).click();
    const question = employee.getByText(`Give back your access to ${assetName} now?`, exact);
    await question.waitFor();
    await employee.getByRole('button', { name: 'Confirm return', ...exact }).click();
    // The returned order leaves the active list.
    await question.waitFor({ state: 'detached' });
    await employee.getByText('You have no active access right now.', exact).waitFor();

    await employee.goto(orderUrl);
    await reloadUntilFact(employee, 'State', 'Completed', 'the returned order');
    assertTimeline(
      await timelineItems(employee),
      [
        'Submitted',
        'Submitted → Waiting for approval',
        'Waiting for approval → Approved',
        'Approved → Provisioning',
        'Provisioning → Active',
        'Active → Removing access',
        'Removing access → Completed',
      ],
      'the portal timeline',
    );

    const members = await run.directory.members(run.groupDn);
    assert.ok(
      !members.some((dn) => sameDn(dn, JANE.dn)),
      `${run.groupDn} no longer has the member ${JANE.dn}: ${JSON.stringify(members)}`,
    );

    await waitForMail(run.env.MAIL_API, { to: JANE.email, subject: `Access returned: ${assetName}` });
  });
});
