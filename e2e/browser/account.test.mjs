// Signed-in sessions on My account, with one admin in two browsers. Each browser lists both
// sessions and marks its own. The first browser ends the second one's session, which then
// lands on the sign-in form at its next step.
//
//   cd e2e && node --test browser/account.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs.
import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { APP_URL } from './lib/config.mjs';
import { waitUntil } from './lib/checks.mjs';
import { ADMIN, createFirstAdmin, followNavLink, signInToAdmin } from './lib/flows.mjs';
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };

const CURRENT = 'This session';

function sessionsSection(page) {
  return page.getByRole('region', { name: 'Signed-in sessions', ...exact });
}

async function openMyAccount(page) {
  await followNavLink(page, 'My account');
  await page.getByRole('heading', { name: 'My account', ...exact }).waitFor();
}

// Waits until the sessions table of PAGE has COUNT rows, and returns for each row its start
// time (the datetime of its first cell), whether it is marked as the current session and
// whether it has "End session". The rows are read in one pass in the page, because the
// table re-renders while a session ends and a row read one by one may be gone.
async function listedSessions(page, count) {
  const rows = sessionsSection(page).locator('tbody').getByRole('row');
  return waitUntil(`${count} listed sessions`, async (state) => {
    const read = await rows.evaluateAll(
      (elements, current) =>
        elements.map((row) => ({
          started: row.querySelector('td time')?.getAttribute('datetime') ?? null,
          current: [...row.querySelectorAll('td span')].some((span) => span.textContent.trim() === current),
          canEnd: [...row.querySelectorAll('button')].some((button) => button.textContent.trim() === 'End session'),
        })),
      CURRENT,
    );
    state.detail = JSON.stringify(read);
    if (read.length !== count || read.some((session) => session.started === null)) {
      return undefined;
    }
    return read.map((session) => ({ ...session, started: new Date(session.started) }));
  });
}

// Checks that exactly one of LISTED is the current session, that only the others can be ended,
// and returns the current one.
function currentSession(listed, where) {
  const current = listed.filter((session) => session.current);
  assert.equal(current.length, 1, `${where} marks one session as current: ${JSON.stringify(listed)}`);
  for (const session of listed) {
    assert.equal(session.canEnd, !session.current, `${where}: only other sessions can be ended`);
  }
  return current[0];
}

describe('My account sessions', () => {
  const run = new TestRun('account');
  run.hooks();

  run.step('first administrator is created', async () => {
    const first = await run.page('first');
    await createFirstAdmin(first);
  });

  run.step('same admin signs in a second time', async () => {
    const second = await run.page('second');
    await second.goto(`${APP_URL}/ui/`);
    await signInToAdmin(second, ADMIN);
  });

  run.step('each browser marks its own session', async () => {
    const first = await run.page('first');
    const second = await run.page('second');
    await openMyAccount(first);
    await openMyAccount(second);

    // The first browser signed in before the second.
    const fromFirst = await listedSessions(first, 2);
    const fromSecond = await listedSessions(second, 2);
    const firstCurrent = currentSession(fromFirst, 'the first browser');
    const secondCurrent = currentSession(fromSecond, 'the second browser');
    const [earlier, later] = fromFirst.map((session) => session.started).sort((a, b) => a - b);
    assert.ok(earlier < later, `the two sessions started at different times: ${earlier} and ${later}`);
    assert.equal(firstCurrent.started.getTime(), earlier.getTime(), 'the first browser has the earlier session');
    assert.equal(secondCurrent.started.getTime(), later.getTime(), 'the second browser has the later session');
  });

  run.step('first browser ends the other session', async () => {
    const first = await run.page('first');
    const other = sessionsSection(first)
      .locator('tbody')
      .getByRole('row')
      .filter({ has: first.getByRole('button', { name: 'End session', ...exact }) });
    await other.getByRole('button', { name: 'End session', ...exact }).click();

    const left = await listedSessions(first, 1);
    assert.equal(left[0].current, true, 'the session left is the current one');

    // The list comes from the server, so a reload shows the same.
    await first.reload();
    await first.getByRole('heading', { name: 'My account', ...exact }).waitFor();
    const reloaded = await listedSessions(first, 1);
    assert.equal(reloaded[0].current, true, 'the session left after a reload is the current one');
  });

  run.step('second browser is signed out', async () => {
    // The second browser still shows My account, until its next request.
    const second = await run.page('second');
    await followNavLink(second, 'Dashboard');
    await second.getByRole('heading', { name: 'Sign in', ...exact }).waitFor();
    assert.equal(
      await second.getByRole('navigation', { name: 'Main', ...exact }).getByText(ADMIN.username, exact).count(),
      0,
      'the navigation no longer shows the admin',
    );

    // Signing in again works, and the first browser keeps its session.
    await signInToAdmin(second, ADMIN);
    const first = await run.page('first');
    await first.reload();
    await first.getByRole('heading', { name: 'My account', ...exact }).waitFor();
    currentSession(await listedSessions(first, 2), 'the first browser after the new sign-in');
  });
});
