// Changes of active access that need the manager's approval. The administrator creates an
// entry granted at once whose extensions and changes of details both need approval. The
// employee asks for an extension, which the manager approves from the e-mail, and then for a
// change of details, which the manager declines; the access keeps its details.
//
//   cd e2e && node --test browser/change_approval.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';

import { adminRequest } from './lib/admin_api.mjs';
import { expectText, fact, reloadUntilFact } from './lib/checks.mjs';
import {
  JANE,
  MANAGER_EMAIL,
  connectServices,
  followNavLink,
  signInToPortal,
} from './lib/flows.mjs';
import { linkAfterLabel, waitForMail } from './lib/mail.mjs';
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };

describe('changes that need approval', () => {
  const run = new TestRun('change-approval');
  run.hooks();

  const assetName = `Build server ${randomBytes(4).toString('hex')}`;
  let orderUrl;
  let expiresBefore;

  // Opens LINK as the manager, who needs no session, and confirms the decision.
  async function decide(link, heading, button, change) {
    const approver = await run.page('approver');
    await approver.goto(link);
    await approver.getByRole('heading', { name: heading, ...exact }).waitFor();
    await expectText(fact(approver, 'Change requested'), change, 'the change the manager decides');
    await approver.getByRole('button', { name: button, ...exact }).click();
    await approver.getByRole('status').waitFor();
  }

  run.step('administrator creates an entry whose changes need approval', async () => {
    const admin = await run.page('admin');
    await connectServices(admin, run.env);
    await adminRequest(admin, 'POST', '/api/v1/asset-definitions', {
      name: assetName,
      description: 'A machine for nightly builds.',
      category: 'Engineering',
      strategy: 'group_access',
      group_dns: [run.groupDn],
      approval: {},
      default_duration_days: 10,
      max_duration_days: 30,
      justification: 'off',
      attributes: [{ key: 'size', label: 'Size', kind: 'select', required: true, options: ['Small', 'Large'] }],
      extension: { allowed: true, max_days: 10, max_count: 2, requires_approval: true },
      modification_requires_approval: true,
    });
  });

  run.step('employee orders and gets the access at once', async () => {
    const employee = await run.page('employee');
    await signInToPortal(employee, run.env, JANE);
    await followNavLink(employee, 'Catalog');
    const card = employee.getByRole('article', { name: assetName, ...exact });
    await card.getByRole('link', { name: 'Order', ...exact }).click();
    await employee.getByRole('heading', { name: assetName, ...exact }).waitFor();
    await employee.getByLabel('Size', exact).selectOption('Small');
    await employee.getByRole('button', { name: 'Submit order', ...exact }).click();
    await employee.waitForURL(/\/portal\/orders\/[0-9a-f-]{36}$/);
    orderUrl = employee.url();
    await reloadUntilFact(employee, 'State', 'Active', 'the order without approval');
    expiresBefore = (await fact(employee, 'Expires').innerText()).trim();
  });

  run.step('employee asks for an extension and the manager approves it', async () => {
    const employee = await run.page('employee');
    const section = employee.getByRole('region', { name: 'Extend access', ...exact });
    await section.getByLabel('Extend by (days)', exact).fill('4');
    await section.getByRole('button', { name: 'Extend', ...exact }).click();
    await expectText(employee.getByRole('status'), 'Your extension by 4 days waits for approval.', 'the request');
    await expectText(fact(employee, 'State'), 'Modification pending', 'the state while waiting');
    await expectText(employee.locator('.change-note'), 'Waiting for approval: an extension by 4 days.', 'the note');
    await expectText(fact(employee, 'Expires'), expiresBefore, 'the expiry before the decision');

    const request = await waitForMail(run.env.MAIL_API, {
      to: MANAGER_EMAIL,
      subject: `Approval needed: ${assetName} for ${JANE.displayName}`,
      contains: 'an extension by 4 days',
    });
    await decide(linkAfterLabel(request.text, 'Approve'), 'Approve change', 'Approve', 'An extension by 4 days');

    await employee.goto(orderUrl);
    await reloadUntilFact(employee, 'State', 'Active', 'the state after the approval');
    await expectText(fact(employee, 'Extended'), 'once', 'the extension count');
    const expiresAfter = (await fact(employee, 'Expires').innerText()).trim();
    assert.notEqual(expiresAfter, expiresBefore, 'the expiry moved');
    await waitForMail(run.env.MAIL_API, { to: JANE.email, subject: `Change approved: ${assetName}` });
  });

  run.step('employee asks for other details and the manager declines', async () => {
    const employee = await run.page('employee');
    const section = employee.getByRole('region', { name: 'Change details', ...exact });
    await section.getByLabel('Size', exact).selectOption('Large');
    await section.getByRole('button', { name: 'Save changes', ...exact }).click();
    await expectText(employee.getByRole('status'), 'Your change of the details waits for approval.', 'the request');

    // The second approval mail has the same subject as the first and names the new details.
    const request = await waitForMail(run.env.MAIL_API, {
      to: MANAGER_EMAIL,
      subject: `Approval needed: ${assetName} for ${JANE.displayName}`,
      contains: 'a change of the details',
    });
    await decide(linkAfterLabel(request.text, 'Decline'), 'Decline change', 'Decline', 'New details: size: Large');

    await employee.goto(orderUrl);
    await reloadUntilFact(employee, 'State', 'Active', 'the state after the decline');
    await expectText(fact(employee, 'Size'), 'Small', 'the details stay as they were');
    await waitForMail(run.env.MAIL_API, { to: JANE.email, subject: `Change declined: ${assetName}` });
  });
});
