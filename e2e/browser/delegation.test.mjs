// Out of office: the manager sends her approvals to a stand-in from the portal, the
// administrator finds the window on the Delegations page, the stand-in finds the employee's
// order in his inbox with a note saying whom it was meant for, and the manager cancels the
// window. The administrator also saves the approval settings on the way.
//
//   cd e2e && node --test browser/delegation.test.mjs
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
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };

const CHARLES = {
  username: 'cwhitmore',
  password: 'CharlesWhitmore-demo-1',
  displayName: 'Charles Whitmore',
  email: 'cwhitmore@example.test',
};

// Formats a time for a datetime-local input. The browser contexts of the tests run in UTC.
function localInput(date) {
  return date.toISOString().slice(0, 16);
}

describe('out-of-office delegation', () => {
  const run = new TestRun('delegation');
  run.hooks();

  const assetName = `Payroll access ${randomBytes(4).toString('hex')}`;
  const cardName = `${assetName} for ${JANE.displayName}`;
  let orderUrl;

  run.step('administrator sets up and saves approval settings', async () => {
    const admin = await run.page('admin');
    await setUpInstallation(admin, run.env, { assetName, groupDn: run.groupDn });

    await followNavLink(admin, 'Settings');
    const section = admin.getByRole('region', { name: 'Approvals', ...exact });
    await section.getByLabel('Hours between reminders', exact).fill('12');
    await section.getByLabel('Compliance officer', exact).fill(CHARLES.username);
    await section.getByRole('button', { name: 'Save approval settings', ...exact }).click();
    await expectText(section.getByRole('status'), 'Saved', 'the approval settings save result');
    await admin.reload();
    const reloaded = admin.getByRole('region', { name: 'Approvals', ...exact });
    await reloaded.getByLabel('Hours between reminders', exact).waitFor();
    assert.equal(await reloaded.getByLabel('Hours between reminders', exact).inputValue(), '12');
    assert.equal(await reloaded.getByLabel('Compliance officer', exact).inputValue(), CHARLES.username);
  });

  run.step('manager sets a stand-in in the portal', async () => {
    const manager = await run.page('manager');
    await signInToPortal(manager, run.env, MARTHA);
    await followNavLink(manager, 'Out of office');
    await manager.getByRole('heading', { name: 'Out of office', ...exact }).waitFor();
    await expectText(manager.locator('main'), /No current or future window\./, 'the empty list');

    const now = Date.now();
    await manager.getByLabel('Stand-in', exact).fill(CHARLES.username);
    await manager.getByLabel('From', exact).fill(localInput(new Date(now - 10 * 60_000)));
    await manager.getByLabel('Until', exact).fill(localInput(new Date(now + 2 * 86_400_000)));
    await manager.getByLabel('Note (optional)', exact).fill('on leave');
    await manager.getByRole('button', { name: 'Save window', ...exact }).click();

    const saved = new RegExp(`^Saved: ${CHARLES.displayName} stands in for ${MARTHA.displayName} from `);
    await expectText(manager.getByRole('status'), saved, 'the save result');
    const row = manager.getByTestId('delegation-row');
    await expectText(row.getByRole('cell').nth(0), `${CHARLES.displayName} <${CHARLES.email}>`, 'the stand-in');
    await expectText(row.getByRole('cell').nth(3), 'on leave', 'the note');
  });

  run.step('administrator lists the window', async () => {
    const admin = await run.page('admin');
    await followNavLink(admin, 'Delegations');
    await admin.getByRole('heading', { name: 'Delegations', ...exact }).waitFor();
    const row = admin.getByTestId('delegation-row');
    await expectText(row.getByRole('cell').nth(0), `${MARTHA.displayName} <${MARTHA.email}>`, 'the absent person');
    await expectText(row.getByRole('cell').nth(1), `${CHARLES.displayName} <${CHARLES.email}>`, 'the stand-in');
    await expectText(row.getByRole('cell').nth(5), new RegExp(MARTHA.email), 'who created the window');
  });

  run.step('stand-in approves the employee order', async () => {
    const employee = await run.page('employee');
    await signInToPortal(employee, run.env, JANE);
    orderUrl = await placeOrder(employee, { assetName, days: 7, justification: 'Payroll run.' });

    const standIn = await run.page('stand-in');
    await signInToPortal(standIn, run.env, CHARLES);
    await followNavLink(standIn, 'Approvals');
    const card = standIn.getByRole('article', { name: cardName, ...exact });
    await card.waitFor();
    await expectText(fact(card, 'Sent to you'), new RegExp(`^instead of ${MARTHA.displayName}`), 'the note');
    await card.getByRole('button', { name: 'Approve', ...exact }).click();
    await expectText(standIn.getByRole('status'), /^Approved /, 'the decision result');

    await employee.goto(orderUrl);
    await reloadUntilFact(employee, 'State', 'Active', 'the order the stand-in approved');
  });

  run.step('manager cancels the window', async () => {
    const manager = await run.page('manager');
    const row = manager.getByTestId('delegation-row');
    await row.getByRole('button', { name: 'Cancel window', ...exact }).click();
    await row.getByRole('button', { name: 'Confirm cancel', ...exact }).click();
    await expectText(manager.getByRole('status'), 'Window cancelled.', 'the cancel result');
    assert.equal(await manager.getByTestId('delegation-row').count(), 0, 'the window leaves the list');

    const admin = await run.page('admin');
    await admin.reload();
    await admin.getByRole('heading', { name: 'Delegations', ...exact }).waitFor();
    await expectText(admin.locator('main'), /No current or future window\./, 'the admin list');
  });
});
