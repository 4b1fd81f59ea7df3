// The approvals inbox: the manager signs in to the portal instead of following the e-mailed
// link, finds the employee's order among her pending approvals, approves it with a comment,
// and finds it under Decided. The order moves on to Active and the requester reads the comment.
//
//   cd e2e && node --test browser/approvals_inbox.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';

import { expectText, fact, reloadUntilFact } from './lib/checks.mjs';
import {
  JANE,
  MARTHA,
  followNavLink,
  placeOrder,
  setUpInstallation,
  signInToPortal,
} from './lib/flows.mjs';
import { sameDn } from './lib/ldap.mjs';
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };

describe('approvals inbox', () => {
  const run = new TestRun('approvals-inbox');
  run.hooks();

  const assetName = `Ledger access ${randomBytes(4).toString('hex')}`;
  const justification = 'Month-end closing needs the ledger.';
  const comment = 'Fine for the month-end close.';
  const cardName = `${assetName} for ${JANE.displayName}`;
  let orderUrl;

  run.step('administrator sets up a new installation', async () => {
    const admin = await run.page('admin');
    await setUpInstallation(admin, run.env, { assetName, groupDn: run.groupDn });
  });

  run.step('employee orders through the portal', async () => {
    const employee = await run.page('employee');
    await signInToPortal(employee, run.env, JANE);
    orderUrl = await placeOrder(employee, { assetName, days: 14, justification });
    await expectText(fact(employee, 'State'), 'Waiting for approval', 'the new order state');
  });

  run.step('manager finds the order in her inbox', async () => {
    const manager = await run.page('manager');
    await signInToPortal(manager, run.env, MARTHA);
    await followNavLink(manager, 'Approvals');
    await manager.getByRole('heading', { name: 'Approvals', ...exact }).waitFor();
    const pendingTab = manager.getByRole('tab', { name: 'Pending', ...exact });
    assert.equal(await pendingTab.getAttribute('aria-selected'), 'true', 'the inbox opens on Pending');

    const card = manager.getByRole('article', { name: cardName, ...exact });
    await card.waitFor();
    await expectText(fact(card, 'Requester'), `${JANE.displayName} <${JANE.email}>`, 'the requester');
    await expectText(fact(card, 'Asset'), assetName, 'the asset');
    await expectText(fact(card, 'Duration'), '14 days', 'the duration');
    await expectText(fact(card, 'Monthly cost'), '—', 'the monthly cost of a free entry');
    await expectText(fact(card, 'Justification'), justification, 'the justification');
    await expectText(fact(card, 'Classification'), /^Internal/, 'the classification');
    await expectText(fact(card, 'Group'), 'Manager: 0 of 1 approved (stage 1)', 'the group progress');
  });

  run.step('manager approves with a comment', async () => {
    const manager = await run.page('manager');
    const card = manager.getByRole('article', { name: cardName, ...exact });
    await card.getByLabel('Comment (optional)', exact).fill(comment);
    await card.getByRole('button', { name: 'Approve', ...exact }).click();

    const done = new RegExp(`^Approved ${JANE.displayName}'s order for ${assetName}\\. The order is now `);
    await expectText(manager.getByRole('status'), done, 'the decision result');
    const left = await manager.getByRole('article', { name: cardName, ...exact }).count();
    assert.equal(left, 0, 'the decided approval leaves the pending list');
    await expectText(manager.getByRole('tabpanel'), /Nothing waits for your decision\./, 'the empty inbox');
  });

  run.step('decided tab shows the decision', async () => {
    const manager = await run.page('manager');
    await manager.getByRole('tab', { name: 'Decided', ...exact }).click();
    const card = manager.getByRole('article', { name: cardName, ...exact });
    await card.waitFor();
    await expectText(fact(card, 'Decision'), /^Approved, \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, 'the decision');
    await expectText(fact(card, 'Comment'), comment, 'the comment');
    const buttons = await card.getByRole('button', { name: 'Approve', ...exact }).count();
    assert.equal(buttons, 0, 'a decided approval has no Approve button');
  });

  run.step('order moves on to active access', async () => {
    const employee = await run.page('employee');
    await employee.goto(orderUrl);
    await reloadUntilFact(employee, 'State', 'Active', 'the approved order');
    const approval = employee.getByRole('row').filter({ hasText: MARTHA.email });
    await expectText(approval.getByRole('cell').nth(1), 'Approved', 'the manager approval');
    await expectText(approval.getByRole('cell').nth(6), new RegExp(`Comment: ${comment}`), 'the comment on the order');
    const group = employee.getByTestId('approval-group');
    await expectText(group.getByRole('cell').nth(3), '1 of 1', 'the group progress');
    await expectText(group.getByRole('cell').nth(4), 'Approved', 'the group state');

    const members = await run.directory.members(run.groupDn);
    assert.ok(
      members.some((member) => sameDn(member, JANE.dn)),
      `${JANE.dn} is a member of ${run.groupDn}: ${JSON.stringify(members)}`,
    );
  });
});
