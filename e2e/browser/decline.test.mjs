// A declined order: the manager declines through the e-mail link, the requester's order ends
// as Rejected without any directory change, she gets the "Request declined" mail, and the
// Approve link of the same mail no longer works.
//
//   cd e2e && node --test browser/decline.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';

import { APP_URL } from './lib/config.mjs';
import { assertTimeline, expectText, fact, reloadUntilFact, timelineItems } from './lib/checks.mjs';
import { JANE, MANAGER_EMAIL, placeOrder, setUpInstallation, signInToPortal } from './lib/flows.mjs';
import { linkAfterLabel, waitForMail } from './lib/mail.mjs';
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };

describe('declined order', () => {
  const run = new TestRun('decline');
  run.hooks();

  const assetName = `Finance app access ${randomBytes(4).toString('hex')}`;
  const justification = 'Auditors asked for a copy of the supplier invoices.';
  let orderUrl;
  let approvalMail;

  run.step('administrator sets up a new installation', async () => {
    const admin = await run.page('admin');
    await setUpInstallation(admin, run.env, { assetName, groupDn: run.groupDn });
  });

  run.step('employee orders through the portal', async () => {
    const employee = await run.page('employee');
    await signInToPortal(employee, run.env, JANE);
    orderUrl = await placeOrder(employee, { assetName, days: 14, justification });
    await expectText(fact(employee, 'State'), 'Waiting for approval', 'the new order state');

    approvalMail = await waitForMail(run.env.MAIL_API, {
      to: MANAGER_EMAIL,
      subject: `Approval needed: ${assetName} for ${JANE.displayName}`,
    });
  });

  run.step('manager declines through the link', async () => {
    const link = linkAfterLabel(approvalMail.text, 'Decline');
    const decidePage = `${APP_URL}/portal/decide#`;
    assert.ok(link.startsWith(decidePage), `the Decline link opens ${decidePage}: ${link}`);

    const approver = await run.page('approver');
    await approver.goto(link);
    await approver.getByRole('heading', { name: 'Decline request', ...exact }).waitFor();
    await expectText(fact(approver, 'Asset'), assetName, 'the asset');
    await expectText(fact(approver, 'Duration'), '14 days', 'the duration');
    await expectText(fact(approver, 'Justification'), justification, 'the justification');

    await approver.getByRole('button', { name: 'Decline', ...exact }).click();
    await expectText(approver.getByRole('status'), 'Declined', 'the decision result');
  });

  run.step('requester sees the rejection', async () => {
    const employee = await run.page('employee');
    await employee.goto(orderUrl);
    await reloadUntilFact(employee, 'State', 'Rejected', 'the declined order');
    assertTimeline(
      await timelineItems(employee),
      ['Submitted', 'Submitted → Waiting for approval', 'Waiting for approval → Rejected'],
      'the portal timeline',
    );

    const declined = await waitForMail(run.env.MAIL_API, {
      to: JANE.email,
      subject: `Request declined: ${assetName}`,
    });
    assert.ok(
      declined.text.includes('was declined'),
      `the mail says the order was declined:\n${declined.text}`,
    );

    const members = await run.directory.members(run.groupDn);
    assert.deepEqual(members, [], `${run.groupDn} stays empty`);
  });

  run.step('approve link of the same mail is spent', async () => {
    // Same tab as the Decline link, so only the URL fragment changes.
    const approver = await run.page('approver');
    await approver.goto(linkAfterLabel(approvalMail.text, 'Approve'));
    await approver.getByRole('heading', { name: 'Approve request', ...exact }).waitFor();
    await expectText(
      approver.getByRole('status'),
      'This request was already decided: declined. Nothing more is needed from you.',
      'the page of a decided request',
    );
    const approveButtons = await approver.getByRole('button', { name: 'Approve', ...exact }).count();
    assert.equal(approveButtons, 0, 'the page of a decided request has no Approve button');
  });
});
