// Attributes on a portal order, then an extension and a change of the active access. The
// administrator creates an entry without approval with two attributes, an environment and a
// deputy from the directory (personal data), that may be extended twice by up to ten days. An
// employee sees the classification, gets a field error for an unknown deputy, orders, extends
// the access and changes the environment. Then she orders the same entry for a colleague, who
// is told by mail and finds the order in his own My IT.
//
//   cd e2e && node --test browser/portal_changes.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';

import { adminRequest } from './lib/admin_api.mjs';
import { expectText, fact, reloadUntilFact } from './lib/checks.mjs';
import {
  JANE,
  connectServices,
  followNavLink,
  signInToPortal,
} from './lib/flows.mjs';
import { waitForMail } from './lib/mail.mjs';
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };
const COLLEAGUE = { username: 'bchen', password: 'BoChen-demo-1', displayName: 'Bo Chen', email: 'bchen@example.test' };
const DAY_MS = 24 * 60 * 60 * 1000;

// Parses the "YYYY-MM-DD HH:MM" text the SPA shows, in the UTC time zone the contexts use.
function parseShownTime(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(text);
  assert.ok(match, `"${text}" is a date and time shown as YYYY-MM-DD HH:MM`);
  const [year, month, day, hour, minute] = match.slice(1).map(Number);
  return Date.UTC(year, month - 1, day, hour, minute);
}

// Formats AT the way the SPA shows a time in UTC.
function shownTime(at) {
  return new Date(at).toISOString().slice(0, 16).replace('T', ' ');
}

// Returns the error text under the form field labelled LABEL.
function fieldError(scope, label) {
  return scope.locator('.field').filter({ has: scope.getByLabel(label, exact) }).locator('.field-error');
}

describe('portal attributes and changes', () => {
  const run = new TestRun('portal-changes');
  run.hooks();

  const assetName = `Reporting workspace ${randomBytes(4).toString('hex')}`;
  let orderUrl;
  let expiresBefore;

  run.step('administrator sets up an entry with attributes', async () => {
    const admin = await run.page('admin');
    await connectServices(admin, run.env);
    await adminRequest(admin, 'POST', '/api/v1/asset-definitions', {
      name: assetName,
      description: 'A workspace for monthly reports.',
      category: 'Reporting',
      strategy: 'group_access',
      group_dns: [run.groupDn],
      approval: {},
      default_duration_days: 30,
      max_duration_days: 90,
      justification: 'off',
      help_text: 'Reports are kept for **one year**.',
      attributes: [
        {
          key: 'environment',
          label: 'Environment',
          kind: 'select',
          required: true,
          options: ['Test', 'Production'],
        },
        {
          key: 'deputy',
          label: 'Deputy',
          kind: 'directory_user',
          help: 'Who takes over while you are away.',
          classification: 'pii',
        },
      ],
      extension: { allowed: true, max_days: 10, max_count: 2, requires_approval: false },
      modification_requires_approval: false,
    });
  });

  run.step('employee sees the attributes and their classification', async () => {
    const employee = await run.page('employee');
    await signInToPortal(employee, run.env, JANE);
    await followNavLink(employee, 'Catalog');
    const card = employee.getByRole('article', { name: assetName, ...exact });
    await expectText(fact(card, 'Approval'), 'No approval needed', 'the catalog entry');
    await card.getByRole('link', { name: 'Order', ...exact }).click();

    await employee.getByRole('heading', { name: assetName, ...exact }).waitFor();
    await employee.getByText('This form asks for PII (personal data).').waitFor();
    await employee.locator('.help-preview strong').getByText('one year', exact).waitFor();
    const deputyField = employee.locator('.field').filter({ has: employee.getByLabel('Deputy', exact) });
    await expectText(deputyField.locator('.badge'), 'PII', 'the badge of the deputy field');
    await deputyField.getByText('Account name or mail address.').waitFor();
  });

  run.step('employee is told at the fields what is missing or unknown', async () => {
    const employee = await run.page('employee');
    await employee.getByLabel('Deputy', exact).fill('nobody-here');
    await employee.getByRole('button', { name: 'Submit order', ...exact }).click();
    // The required select is checked before anything is sent.
    await expectText(fieldError(employee, 'Environment'), 'is required', 'the environment error');

    await employee.getByLabel('Environment', exact).selectOption('Production');
    await employee.getByRole('button', { name: 'Submit order', ...exact }).click();
    // The server looks the deputy up in the directory.
    await fieldError(employee, 'Deputy').waitFor();
    const message = (await fieldError(employee, 'Deputy').innerText()).trim();
    assert.ok(message.length > 0, 'the deputy field names the error');
    assert.equal(await fieldError(employee, 'Environment').count(), 0, 'the environment has no error now');
    assert.ok(employee.url().includes('/portal/order/'), `the form stays open: ${employee.url()}`);
  });

  run.step('employee orders with a known deputy', async () => {
    const employee = await run.page('employee');
    await employee.getByLabel('Deputy', exact).fill('mfinch');
    await employee.getByRole('button', { name: 'Submit order', ...exact }).click();
    await employee.waitForURL(/\/portal\/orders\/[0-9a-f-]{36}$/);
    orderUrl = employee.url();

    await reloadUntilFact(employee, 'State', 'Active', 'the order without approval');
    await expectText(fact(employee, 'Deputy'), 'Martha Finch', 'the deputy by name');
    await expectText(fact(employee, 'Environment'), 'Production', 'the environment');
    expiresBefore = parseShownTime((await fact(employee, 'Expires').innerText()).trim());
  });

  run.step('employee extends the access by five days', async () => {
    const employee = await run.page('employee');
    const section = employee.getByRole('region', { name: 'Extend access', ...exact });
    await section.getByLabel('Extend by (days)', exact).fill('5');
    await section.getByRole('button', { name: 'Extend', ...exact }).click();

    const expected = shownTime(expiresBefore + 5 * DAY_MS);
    await expectText(employee.getByRole('status'), `Extended by 5 days: access now ends ${expected}.`, 'the result');
    await expectText(fact(employee, 'Expires'), expected, 'the new expiry');
    await expectText(fact(employee, 'State'), 'Active', 'the state after the extension');
    await expectText(fact(employee, 'Extended'), 'once', 'the extension count');
  });

  run.step('employee changes the environment', async () => {
    const employee = await run.page('employee');
    const section = employee.getByRole('region', { name: 'Change details', ...exact });
    assert.equal(await section.getByLabel('Environment', exact).inputValue(), 'Production', 'prefilled environment');
    assert.equal(await section.getByLabel('Deputy', exact).inputValue(), 'mfinch', 'prefilled deputy');
    await section.getByLabel('Environment', exact).selectOption('Test');
    await section.getByRole('button', { name: 'Save changes', ...exact }).click();

    await expectText(employee.getByRole('status'), 'Details saved.', 'the result');
    await expectText(fact(employee, 'Environment'), 'Test', 'the changed environment');

    await employee.goto(orderUrl);
    await expectText(fact(employee, 'Environment'), 'Test', 'the environment after a reload');
    await expectText(fact(employee, 'Deputy'), 'Martha Finch', 'the deputy after the change');
    await expectText(fact(employee, 'State'), 'Active', 'the state after the change');
  });

  run.step('employee orders the entry for a colleague', async () => {
    const employee = await run.page('employee');
    await followNavLink(employee, 'Catalog');
    const card = employee.getByRole('article', { name: assetName, ...exact });
    await card.getByRole('link', { name: 'Order', ...exact }).click();
    await employee.getByRole('heading', { name: assetName, ...exact }).waitFor();
    await employee.getByLabel('Environment', exact).selectOption('Test');
    await employee.getByLabel('Order for someone else (optional)', exact).fill('no-such-colleague');
    await employee.getByRole('button', { name: 'Submit order', ...exact }).click();
    await fieldError(employee, 'Order for someone else (optional)').waitFor();

    await employee.getByLabel('Order for someone else (optional)', exact).fill(COLLEAGUE.username);
    await employee.getByRole('button', { name: 'Submit order', ...exact }).click();
    await employee.waitForURL(/\/portal\/orders\/[0-9a-f-]{36}$/);
    await expectText(fact(employee, 'For'), `${COLLEAGUE.displayName} <${COLLEAGUE.email}>`, 'who gets it');
    await expectText(fact(employee, 'Placed by'), `${JANE.displayName} <${JANE.email}>`, 'who placed it');
    await reloadUntilFact(employee, 'State', 'Active', 'the order for the colleague');

    const told = await waitForMail(run.env.MAIL_API, { to: COLLEAGUE.email, subject: `Ordered for you: ${assetName}` });
    assert.match(told.text, /Jane Doe ordered/, 'the colleague learns who ordered');
  });

  run.step('colleague finds the order in his My IT', async () => {
    const colleague = await run.page('colleague');
    await signInToPortal(colleague, run.env, COLLEAGUE);
    await followNavLink(colleague, 'My IT');
    await colleague.getByRole('heading', { name: 'My orders', ...exact }).waitFor();
    const note = colleague.locator('.deputy-note').filter({ hasText: `placed by ${JANE.displayName} for ${COLLEAGUE.displayName}` });
    await note.first().waitFor();
  });
});
