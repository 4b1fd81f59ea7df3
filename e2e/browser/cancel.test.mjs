// A cancelled order: the requester cancels an order still waiting for approval from its page,
// the order ends as Cancelled without any directory change, and the Approve link of the
// manager's mail no longer works. A second order is cancelled from My IT. The administrator
// then finds the cancellation in the audit log by entity, action and time, reads its changes
// and downloads the same rows as CSV.
//
//   cd e2e && node --test browser/cancel.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe } from 'node:test';

import { APP_URL } from './lib/config.mjs';
import { assertTimeline, expectText, fact, timelineItems, waitUntil } from './lib/checks.mjs';
import {
  JANE,
  MANAGER_EMAIL,
  followNavLink,
  placeOrder,
  setUpInstallation,
  signInToPortal,
} from './lib/flows.mjs';
import { linkAfterLabel, waitForMail } from './lib/mail.mjs';
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };
const HOUR_MS = 60 * 60 * 1000;

// Returns the value a datetime-local input takes for AT. The browser contexts run in UTC.
function dateTimeLocal(at) {
  return new Date(at).toISOString().slice(0, 16);
}

function rowsWithLink(page, name) {
  return page.getByRole('row').filter({ has: page.getByRole('link', { name, ...exact }) });
}

// Returns the rows of the audit log table, without the rows of the expanded change lists.
function auditRows(page) {
  return page.locator('table.audit-table > tbody > tr');
}

// Waits until LOCATOR matches COUNT elements.
async function waitForCount(locator, count, description) {
  return waitUntil(`${description}: ${count} elements`, async (state) => {
    const seen = await locator.count();
    state.detail = `${seen} elements`;
    return seen === count ? seen : undefined;
  });
}

describe('cancelled order', () => {
  const run = new TestRun('cancel');
  run.hooks();

  const startedAt = Date.now();
  const assetName = `Travel app access ${randomBytes(4).toString('hex')}`;
  const justification = 'Booking the trips for the spring trade fair.';
  let orderUrl;
  let orderId;
  let approvalMail;

  run.step('administrator sets up a new installation', async () => {
    const admin = await run.page('admin');
    await setUpInstallation(admin, run.env, { assetName, groupDn: run.groupDn });
  });

  run.step('employee orders through the portal', async () => {
    const employee = await run.page('employee');
    await signInToPortal(employee, run.env, JANE);
    orderUrl = await placeOrder(employee, { assetName, days: 7, justification });
    orderId = new URL(orderUrl).pathname.split('/').pop();
    await expectText(fact(employee, 'State'), 'Waiting for approval', 'the new order state');

    approvalMail = await waitForMail(run.env.MAIL_API, {
      to: MANAGER_EMAIL,
      subject: `Approval needed: ${assetName} for ${JANE.displayName}`,
    });
  });

  run.step('employee cancels from the order page', async () => {
    const employee = await run.page('employee');
    const cancel = employee.getByRole('button', { name: 'Cancel order', ...exact });

    // "Keep order" leaves the order as it is.
    await cancel.click();
    await employee.getByText(`Cancel your order for ${assetName}?`, { exact: false }).waitFor();
    await employee.getByRole('button', { name: 'Keep order', ...exact }).click();
    await cancel.waitFor();
    await expectText(fact(employee, 'State'), 'Waiting for approval', 'the state after Keep order');

    await cancel.click();
    await employee.getByRole('button', { name: 'Confirm cancel', ...exact }).click();
    await expectText(fact(employee, 'State'), 'Cancelled', 'the cancelled order');
    await expectText(employee.getByRole('status'), 'Order cancelled.', 'the cancel result');
    await expectText(
      employee.getByRole('row').filter({ hasText: MANAGER_EMAIL }).getByRole('cell').nth(1),
      'No longer needed',
      'the manager approval after the reload',
    );
    assertTimeline(
      await timelineItems(employee),
      ['Submitted', 'Submitted → Waiting for approval', 'Waiting for approval → Cancelled'],
      'the portal timeline',
    );
    assert.equal(await cancel.count(), 0, 'a cancelled order has no Cancel order button');

    await employee.reload();
    await expectText(fact(employee, 'State'), 'Cancelled', 'the cancelled order after a reload');
    assert.equal(await cancel.count(), 0, 'the reloaded order page has no Cancel order button');

    const members = await run.directory.members(run.groupDn);
    assert.deepEqual(members, [], `${run.groupDn} stays empty`);
  });

  run.step('approve link of the mail is spent', async () => {
    const link = linkAfterLabel(approvalMail.text, 'Approve');
    const approver = await run.page('approver');
    await approver.goto(link);
    await approver.getByRole('heading', { name: 'Approve request', ...exact }).waitFor();
    await expectText(
      approver.getByRole('status'),
      'This request was already decided: the requester cancelled the order. Nothing more is needed from you.',
      'the page of a cancelled request',
    );
    const approveButtons = await approver.getByRole('button', { name: 'Approve', ...exact }).count();
    assert.equal(approveButtons, 0, 'the page of a cancelled request has no Approve button');

    const members = await run.directory.members(run.groupDn);
    assert.deepEqual(members, [], `${run.groupDn} stays empty after the Approve link`);
  });

  run.step('employee cancels a second order from My IT', async () => {
    const employee = await run.page('employee');
    await placeOrder(employee, { assetName, days: 3, justification });
    await expectText(fact(employee, 'State'), 'Waiting for approval', 'the second order state');

    await followNavLink(employee, 'My IT');
    await employee.getByRole('heading', { name: 'My orders', ...exact }).waitFor();
    const rows = rowsWithLink(employee, assetName);
    await waitForCount(rows, 2, 'both orders in My IT');
    const cancelButton = employee.getByRole('button', { name: 'Cancel order', ...exact });
    const cancelledRow = rows.filter({ hasNot: cancelButton });
    await expectText(cancelledRow.getByRole('cell').nth(1), 'Cancelled', 'the first order in My IT');
    const pendingRow = rows.filter({ has: cancelButton });
    await expectText(pendingRow.getByRole('cell').nth(1), 'Waiting for approval', 'the second order in My IT');
    assert.equal(await pendingRow.count(), 1, 'only the waiting order has a Cancel order button');

    await pendingRow.getByRole('button', { name: 'Cancel order', ...exact }).click();
    await employee.getByRole('button', { name: 'Confirm cancel', ...exact }).click();
    await waitForCount(rows.filter({ hasText: 'Cancelled' }), 2, 'both orders to show Cancelled');
    const cancelButtons = await employee.getByRole('button', { name: 'Cancel order', ...exact }).count();
    assert.equal(cancelButtons, 0, 'My IT has no Cancel order button left');
  });

  run.step('administrator finds the cancel in the audit log', async () => {
    const admin = await run.page('admin');
    await followNavLink(admin, 'Audit log');
    await admin.getByRole('heading', { name: 'Audit log', ...exact }).waitFor();

    const fromValue = dateTimeLocal(startedAt - HOUR_MS);
    const untilValue = dateTimeLocal(Date.now() + HOUR_MS);
    await admin.getByLabel('Entity ID', exact).fill(orderId);
    await admin.getByLabel('Action', exact).fill('order.transition');
    await admin.getByLabel('From', exact).fill(fromValue);
    await admin.getByLabel('Until', exact).fill(untilValue);
    await admin.getByRole('button', { name: 'Apply filters', ...exact }).click();

    // Newest first: the cancel, then the move to Waiting for approval.
    const rows = auditRows(admin);
    await waitForCount(rows, 2, 'the two transitions of the order');
    const cancelRow = rows.first();
    const cells = cancelRow.locator(':scope > td');
    await expectText(cells.nth(1), `portal:user:${JANE.email}`, 'the actor of the cancel');
    await expectText(cells.nth(2), 'order.transition', 'the action of the cancel');

    await cancelRow.getByText('2 changes', exact).click();
    const changes = cancelRow.locator('table.diff-table');
    const changeRow = (key) =>
      changes.getByRole('row').filter({ has: admin.getByRole('rowheader', { name: key }) });
    const state = changeRow('state');
    await expectText(state.getByRole('rowheader'), 'state', 'the changed key');
    await expectText(state.getByRole('cell').nth(0), '"pending_approval"', 'the state before');
    await expectText(state.getByRole('cell').nth(1), '"cancelled"', 'the state after');
    const note = changeRow('note');
    await expectText(note.getByRole('rowheader'), 'note (added)', 'the added key');
    await expectText(note.getByRole('cell').nth(0), '—', 'the note before');
    await expectText(note.getByRole('cell').nth(1), '"cancelled by Jane Doe"', 'the note after');

    // The CSV link carries the applied filters, with the times in UTC.
    const csvLink = admin.getByRole('link', { name: 'Download CSV', ...exact });
    const exportUrl = new URL(await csvLink.getAttribute('href'), APP_URL);
    assert.equal(exportUrl.pathname, '/api/v1/audit/export', 'the CSV link path');
    assert.equal(exportUrl.searchParams.get('entity_id'), orderId, 'the CSV entity filter');
    assert.equal(exportUrl.searchParams.get('action'), 'order.transition', 'the CSV action filter');
    assert.equal(exportUrl.searchParams.get('from'), `${fromValue}:00Z`, 'the CSV From filter');
    assert.equal(exportUrl.searchParams.get('until'), `${untilValue}:00Z`, 'the CSV Until filter');

    const [download] = await Promise.all([admin.waitForEvent('download'), csvLink.click()]);
    assert.equal(download.suggestedFilename(), 'ipsolis-audit.csv', 'the CSV file name');
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.trim().split('\n');
    assert.equal(lines[0], 'at,actor,action,entity_type,entity_id,before,after', 'the CSV header');
    assert.equal(lines.length, 3, `the CSV has the two rows of the page:\n${csv}`);
    assert.ok(lines[1].includes('cancelled by Jane Doe'), `the first CSV row is the cancel:\n${csv}`);
    for (const line of lines.slice(1)) {
      assert.ok(line.includes(`,order,${orderId},`), `each CSV row names the order: ${line}`);
    }
  });

  run.step('audit time filters exclude and reject', async () => {
    const admin = await run.page('admin');
    const from = admin.getByLabel('From', exact);
    const until = admin.getByLabel('Until', exact);
    const apply = admin.getByRole('button', { name: 'Apply filters', ...exact });

    await from.fill(dateTimeLocal(Date.now() + 2 * HOUR_MS));
    await until.fill(dateTimeLocal(Date.now() + 3 * HOUR_MS));
    await apply.click();
    await admin.getByText('No audit entries match.', exact).waitFor();

    // An Until before From is rejected in the form, and the list keeps the last result.
    await until.fill(dateTimeLocal(Date.now() + HOUR_MS));
    await apply.click();
    await expectText(admin.locator('.field-error'), 'must be later than From', 'the Until error');
    const emptyList = await admin.getByText('No audit entries match.', exact).count();
    assert.equal(emptyList, 1, 'the list keeps the result of the last applied filters');

    await admin.getByRole('button', { name: 'Clear filters', ...exact }).click();
    assert.equal(await from.inputValue(), '', 'Clear filters empties From');
    assert.equal(await admin.locator('.field-error').count(), 0, 'Clear filters removes the Until error');
    const csvLink = admin.getByRole('link', { name: 'Download CSV', ...exact });
    assert.equal(await csvLink.getAttribute('href'), '/api/v1/audit/export', 'the CSV link without filters');
  });
});
