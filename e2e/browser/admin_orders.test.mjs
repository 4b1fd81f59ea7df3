// The admin side of orders in one Chromium. An employee fills four of the five slots of a
// definition through the portal, and the dashboard marks it almost full. An administrator
// narrows the orders list by definition, requester and day, ends one order's access at once and
// runs the failed step of another order again.
//
//   cd e2e && node --test browser/admin_orders.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';

import { APP_URL } from './lib/config.mjs';
import { adminRequest } from './lib/admin_api.mjs';
import { expectText, fact, reloadUntilFact, waitUntil } from './lib/checks.mjs';
import { runSql } from './lib/database.mjs';
import {
  JANE,
  configureDirectory,
  configureMail,
  configurePortalSignIn,
  createFirstAdmin,
  followNavLink,
  signInToPortal,
} from './lib/flows.mjs';
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };
const DAY_MS = 24 * 60 * 60 * 1000;

// A definition that grants GROUP_DN at once, without approval, up to CAPACITY open orders.
function definitionInput(name, groupDn, capacity) {
  return {
    name,
    description: 'Seats of the design suite.',
    category: 'Design',
    strategy: 'group_access',
    group_dns: [groupDn],
    approval: {},
    default_duration_days: 30,
    max_duration_days: 90,
    justification: 'off',
    assignment: 'capacity_pooled',
    capacity,
  };
}

// Places an order of DEFINITION_ID from the portal page PAGE, with the portal session it
// signed in, and returns the order.
async function placePortalOrder(page, definitionId) {
  const result = await page.evaluate(async (definitionId) => {
    const accept = { Accept: 'application/json' };
    const session = await fetch('/api/v1/portal/session', { headers: accept });
    const { csrf_token: csrfToken } = await session.json();
    const response = await fetch('/api/v1/portal/orders', {
      method: 'POST',
      headers: { ...accept, 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken },
      body: JSON.stringify({ definition_id: definitionId, duration_days: 14 }),
    });
    return { status: response.status, text: await response.text() };
  }, definitionId);
  assert.equal(result.status, 201, `the portal order: ${result.text}`);
  return JSON.parse(result.text);
}

// Waits until the admin API reports order ID in STATE.
async function waitForOrderState(page, id, state) {
  await waitUntil(`order ${id} to be ${state}`, async (check) => {
    const { order } = await adminRequest(page, 'GET', `/api/v1/orders/${id}`);
    check.detail = order.state;
    return order.state === state ? true : undefined;
  });
}

function orderRows(page) {
  return page.locator('table tbody tr');
}

// Waits until the orders table shows COUNT rows, each of them naming TEXT when given.
async function expectOrderRows(page, count, text, description) {
  await waitUntil(`${description}: ${count} rows`, async (check) => {
    if (await page.locator('.loading').count()) {
      check.detail = 'still loading';
      return undefined;
    }
    const rows = await orderRows(page).allInnerTexts();
    check.detail = JSON.stringify(rows);
    if (rows.length !== count) {
      return undefined;
    }
    return text === undefined || rows.every((row) => row.includes(text)) ? true : undefined;
  });
  if (count === 0) {
    await page.getByText('No orders match.', exact).waitFor();
  }
}

function day(offsetDays) {
  return new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);
}

describe('admin orders', () => {
  const run = new TestRun('admin orders');
  run.hooks();

  const suffix = randomBytes(3).toString('hex');
  const limitedName = `Design suite ${suffix}`;
  const brokenName = `Archive share ${suffix}`;
  let limitedId;
  let brokenId;
  const limitedOrders = [];
  let brokenOrder;

  run.step('administrator sets up the installation and two definitions', async () => {
    const admin = await run.page('admin');
    await createFirstAdmin(admin);
    await configureDirectory(admin, run.env);
    await configureMail(admin, run.env);
    await configurePortalSignIn(admin, run.env);

    const limited = await adminRequest(
      admin,
      'POST',
      '/api/v1/asset-definitions',
      definitionInput(limitedName, run.groupDn, 5),
    );
    limitedId = limited.id;
    // The directory has no such group, so adding anyone to it fails and the order stays in
    // provisioning until the next attempt.
    const missingGroup = `cn=Archive ${suffix},ou=Groups,${run.env.LDAP_BASE_DN}`;
    const broken = await adminRequest(
      admin,
      'POST',
      '/api/v1/asset-definitions',
      definitionInput(brokenName, missingGroup, null),
    );
    brokenId = broken.id;
  });

  run.step('employee places five orders through the portal', async () => {
    const employee = await run.page('employee');
    await signInToPortal(employee, run.env, JANE);
    for (let count = 0; count < 4; count += 1) {
      limitedOrders.push(await placePortalOrder(employee, limitedId));
    }
    brokenOrder = await placePortalOrder(employee, brokenId);

    const admin = await run.page('admin');
    for (const order of limitedOrders) {
      await waitForOrderState(admin, order.id, 'active');
    }
    await waitForOrderState(admin, brokenOrder.id, 'provisioning');
  });

  run.step('dashboard shows the definition almost full', async () => {
    const admin = await run.page('admin');
    await followNavLink(admin, 'Dashboard');
    const limited = admin.getByRole('article', { name: limitedName, ...exact });
    await expectText(limited.locator('.count'), '4 / 5', 'the used slots');
    await expectText(limited.locator('.capacity-free'), '1 free', 'the free slots');
    await expectText(limited.locator('.capacity-level'), 'Almost full', 'the level word');
    assert.match(await limited.getAttribute('class'), /\bcapacity-warning\b/, 'the warning style');

    const broken = admin.getByRole('article', { name: brokenName, ...exact });
    await expectText(broken.locator('.count'), '1 / no limit', 'a definition without a limit');
    await expectText(broken.locator('.capacity-level'), 'Room left', 'the level without a limit');
  });

  run.step('orders list narrows by definition, requester and day', async () => {
    const admin = await run.page('admin');
    await followNavLink(admin, 'Orders');
    await admin.getByRole('heading', { name: 'Orders', ...exact }).waitFor();
    await expectOrderRows(admin, 5, undefined, 'all orders');

    const filters = admin.getByRole('search', { name: 'Order filters', ...exact });
    await filters.getByLabel('Definition', exact).selectOption({ label: limitedName });
    await expectOrderRows(admin, 4, limitedName, 'the orders of one definition');
    assert.ok(admin.url().includes(`definition_id=${limitedId}`), `the URL keeps the filter: ${admin.url()}`);

    const requester = filters.getByLabel('Requester contains', exact);
    await requester.fill('nobody');
    await requester.press('Enter');
    await expectOrderRows(admin, 0, undefined, 'a requester no one matches');

    // The requester text matches the name without regard to case.
    await requester.fill('jane');
    await filters.getByRole('button', { name: 'Search', ...exact }).click();
    await expectOrderRows(admin, 4, JANE.displayName, 'the orders of Jane');

    await filters.getByLabel('Created from', exact).fill(day(0));
    await expectOrderRows(admin, 4, limitedName, 'the orders created today');
    await filters.getByLabel('Created from', exact).fill('');
    await filters.getByLabel('Created to', exact).fill(day(-1));
    await expectOrderRows(admin, 0, undefined, 'the orders created before today');

    // A reload keeps every filter, since they live in the URL.
    await admin.reload();
    await expectOrderRows(admin, 0, undefined, 'the filtered list after a reload');
    assert.equal(await filters.getByLabel('Requester contains', exact).inputValue(), 'jane');
    assert.equal(await filters.getByLabel('Created to', exact).inputValue(), day(-1));
  });

  run.step('administrator ends one order now', async () => {
    const admin = await run.page('admin');
    const [order] = limitedOrders;
    await admin.goto(`${APP_URL}/ui/orders/${order.id}`);
    await admin.getByRole('heading', { name: limitedName, ...exact }).waitFor();
    await expectText(fact(admin, 'State'), 'Active', 'the order before');
    assert.equal(await admin.getByRole('button', { name: 'Retry', ...exact }).count(), 0, 'no Retry on an active order');

    const end = admin.getByRole('button', { name: 'End access now', ...exact });
    // "Keep as it is" leaves the order alone.
    await end.click();
    await admin.getByText(`End ${JANE.displayName}'s access to ${limitedName} now?`, { exact: false }).waitFor();
    await admin.getByRole('button', { name: 'Keep as it is', ...exact }).click();
    await end.click();
    await admin.getByRole('button', { name: 'Confirm end of access', ...exact }).click();

    await expectText(
      admin.getByRole('status'),
      /^Access ending\. The order is now (Removing access|Completed)\.$/,
      'the end result',
    );
    await expectText(fact(admin, 'State'), /^(Removing access|Completed)$/, 'the order after the end');
    await reloadUntilFact(admin, 'State', 'Completed', 'the ended order');
    assert.equal(await end.count(), 0, 'a completed order has no End access now button');
    const members = await run.directory.members(run.groupDn);
    assert.equal(members.length, 1, `Jane stays in ${run.groupDn} through her other orders`);
  });

  run.step('administrator retries a failed order', async () => {
    const admin = await run.page('admin');
    // Provisioning into a missing group is retried with a backoff for about 20 minutes, too long
    // for a test to wait. Provisioning to failed is an allowed move, so SQL sets it.
    await runSql(
      run.databaseUrl,
      `update orders set state = 'failed' where id = '${brokenOrder.id}' and state = 'provisioning'`,
    );
    await admin.goto(`${APP_URL}/ui/orders/${brokenOrder.id}`);
    await admin.getByRole('heading', { name: brokenName, ...exact }).waitFor();
    await expectText(fact(admin, 'State'), 'Failed', 'the failed order');
    await admin.getByRole('button', { name: 'End access now', ...exact }).waitFor();

    await admin.getByRole('button', { name: 'Retry', ...exact }).click();
    await admin.getByText(`Retry ${JANE.displayName}'s order for ${brokenName}?`, { exact: false }).waitFor();
    await admin.getByRole('button', { name: 'Confirm retry', ...exact }).click();
    await expectText(
      admin.getByRole('status'),
      'Retry started. The order is now Provisioning.',
      'the retry result',
    );
    await expectText(fact(admin, 'State'), 'Provisioning', 'the order after the retry');
    assert.equal(await admin.getByRole('button', { name: 'Retry', ...exact }).count(), 0, 'no Retry while provisioning');
  });
});
