// The Jobs page in one Chromium. The first administrator reads the depth of each queue, then
// finds a dead job on the Dead tab and retries it, and the server's workers run it. A dead
// provisioning job links to its order instead of a Retry button. The administrator purges old
// dead jobs after typing the confirmation word. An auditor gets the same page without the
// actions.
//
//   cd e2e && node --test browser/jobs.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe } from 'node:test';

import { createAdminUserByApi } from './lib/admin_api.mjs';
import { expectText, waitUntil } from './lib/checks.mjs';
import { runSql } from './lib/database.mjs';
import { createFirstAdmin, followNavLink, signInToAdmin, signOutOfAdmin } from './lib/flows.mjs';
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };

const AUDITOR = { username: 'e2e-jobs-auditor', password: 'e2e-jobs-auditor-password-1' };
// The scheduler of the server under test puts its periodic jobs in the default and reclaim
// queues, so the jobs of this test go to the two queues it leaves alone.
const MAIL_ERROR = 'the mail server refused the connection';
const deadJob = randomUUID();
const orderJob = randomUUID();
const orderId = randomUUID();
const oldDeadJobs = [randomUUID(), randomUUID()];

// Returns the SQL that inserts a dead job, finished FINISHED_AGO before now.
function deadJobSql(id, queue, kind, payload, finishedAgo) {
  return `insert into jobs (id, queue, kind, payload, state, attempts, max_attempts, run_at,
      locked_by, last_error, created_at, started_at, finished_at)
    values ('${id}', '${queue}', '${kind}', '${JSON.stringify(payload)}', 'dead', 3, 3,
      now() - interval '${finishedAgo}', 'e2e-host:1/0', '${MAIL_ERROR}',
      now() - interval '${finishedAgo}', now() - interval '${finishedAgo}',
      now() - interval '${finishedAgo}')`;
}

function section(page, name) {
  return page.getByRole('region', { name, ...exact });
}

function jobRow(page, id) {
  return page.getByRole('row').filter({ hasText: id });
}

// Returns the cell of QUEUE's row in the queue depth table, in the column named COLUMN.
async function depthCell(page, queue, column) {
  const table = page.getByRole('table', { name: 'Queue depths', ...exact });
  const headers = (await table.getByRole('columnheader').allTextContents()).map((text) => text.trim());
  const index = headers.indexOf(column);
  assert.notEqual(index, -1, `the queue table has a ${column} column: ${JSON.stringify(headers)}`);
  const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: queue, ...exact }) });
  return row.locator('th, td').nth(index);
}

async function expectDepth(page, queue, column, expected) {
  await expectText(await depthCell(page, queue, column), expected, `${queue} ${column}`);
}

async function openTab(page, name) {
  await page.getByRole('tablist', { name: 'Job states', ...exact }).getByRole('tab', { name, ...exact }).click();
}

describe('Jobs page', () => {
  const run = new TestRun('jobs');
  run.hooks();

  run.step('first administrator is created', async () => {
    const admin = await run.page('admin');
    await createFirstAdmin(admin);
  });

  run.step('administrator reads the queue depths', async () => {
    await runSql(run.databaseUrl, deadJobSql(deadJob, 'notifications', 'bench.noop', {}, '5 minutes'));
    await runSql(
      run.databaseUrl,
      deadJobSql(orderJob, 'provision', 'order.provision', { order_id: orderId }, '5 minutes'),
    );
    for (const id of oldDeadJobs) {
      await runSql(run.databaseUrl, deadJobSql(id, 'notifications', 'bench.noop', {}, '40 days'));
    }

    const page = await run.page('admin');
    await followNavLink(page, 'Jobs');
    await page.getByRole('heading', { name: 'Jobs', ...exact }).waitFor();
    await expectDepth(page, 'notifications', 'Dead', '3');
    await expectDepth(page, 'provision', 'Dead', '1');
    await expectDepth(page, 'notifications', 'Running', '0');
    await expectDepth(page, 'notifications', 'Longest wait', '–');
  });

  run.step('administrator retries a dead job', async () => {
    const page = await run.page('admin');
    await openTab(page, 'Dead');
    const row = jobRow(page, deadJob);
    await expectText(row.getByRole('cell').nth(3), MAIL_ERROR, 'the error of the dead job');
    await expectText(row.getByRole('cell').nth(2), '3 of 3', 'the attempts of the dead job');

    // A provisioning job moves its order's state, so it is retried on the order's page.
    const orderRow = jobRow(page, orderJob);
    await orderRow.getByRole('link', { name: 'Retry through the order', ...exact }).waitFor();
    assert.equal(await orderRow.getByRole('button').count(), 0, 'an order job has no Retry button');

    await row.getByRole('button', { name: /^Retry/ }).click();
    await expectText(
      page.getByRole('status'),
      'bench.noop is queued again and runs as soon as a worker is free.',
      'the retry result',
    );
    await row.waitFor({ state: 'detached' });

    // The server's workers run the job; the page shows it once refreshed.
    await openTab(page, 'Succeeded');
    const refresh = page.getByRole('button', { name: 'Refresh', ...exact });
    await waitUntil('the retried job on the Succeeded tab', async (state) => {
      await refresh.click();
      const count = await jobRow(page, deadJob).count();
      state.detail = `${count} rows`;
      return count === 1 ? true : undefined;
    });
    await expectText(jobRow(page, deadJob).getByRole('cell').nth(2), '1 of 3', 'the attempts of the retried job');
    await expectDepth(page, 'notifications', 'Dead', '2');
    await expectDepth(page, 'notifications', 'Succeeded (24 h)', '1');
  });

  run.step('administrator purges old dead jobs', async () => {
    const page = await run.page('admin');
    const form = section(page, 'Purge finished jobs');
    await form.getByLabel('Jobs that are', exact).selectOption({ label: 'Dead' });
    await form.getByLabel('Finished more than (days) ago', exact).fill('30');
    await form.getByLabel('Queue', exact).selectOption({ label: 'notifications' });
    const purge = form.getByRole('button', { name: 'Purge jobs', ...exact });
    assert.equal(await purge.isDisabled(), true, 'the purge waits for the confirmation word');
    await form.getByLabel('Type purge to confirm', exact).fill('purge');
    await purge.click();

    await expectText(form.getByRole('status'), 'Deleted 2 jobs.', 'the purge result');
    await expectDepth(page, 'notifications', 'Dead', '0');
    await expectDepth(page, 'provision', 'Dead', '1');
  });

  run.step('an auditor sees the jobs without actions', async () => {
    const page = await run.page('admin');
    await createAdminUserByApi(page, { ...AUDITOR, role: 'auditor' });
    await signOutOfAdmin(page);
    await signInToAdmin(page, AUDITOR);

    await followNavLink(page, 'Jobs');
    await expectDepth(page, 'provision', 'Dead', '1');
    await openTab(page, 'Dead');
    await jobRow(page, orderJob).waitFor();
    assert.equal(await page.getByRole('button', { name: /^Retry/ }).count(), 0, 'no Retry button');
    assert.equal(await section(page, 'Purge finished jobs').count(), 0, 'no purge form');
  });
});
