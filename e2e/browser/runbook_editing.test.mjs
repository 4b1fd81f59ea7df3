// The runbook, script and variable pages under pressure, in one Chromium. Two tabs save one
// runbook, and a script that a runbook runs is deleted and renamed. A secret is too short to
// mask. Confirmation questions and step removal are used by keyboard alone. Names and notes
// hold markup, and addresses hold ids that name nothing.
//
//   cd e2e && node --test browser/runbook_editing.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs. The server gets
// IPSOLIS_SCRIPT_LANGUAGES=powershell,bash,python, because the script is a bash one.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe } from 'node:test';

import { APP_URL } from './lib/config.mjs';
import { expectText, waitUntil } from './lib/checks.mjs';
import { adminRequest } from './lib/admin_api.mjs';
import { createFirstAdmin, followNavLink } from './lib/flows.mjs';
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };

// Markup that runs script when a page inserts it as HTML instead of text.
const HOSTILE = '<img src=x onerror="window.__injected=1"><script>window.__injected=1</script>';

function region(page, name) {
  return page.getByRole('region', { name, ...exact });
}

function stepCard(page, legend) {
  return page.getByRole('group', { name: legend, ...exact });
}

// Returns the accessible name of the element that has keyboard focus, or its text.
async function focusedName(page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) {
      return '(the page body)';
    }
    return element.getAttribute('aria-label') || element.id || element.textContent.trim();
  });
}

// Waits until keyboard focus is on the element that focusedName reports as EXPECTED.
async function expectFocus(admin, expected, description) {
  await waitUntil(description, async (state) => {
    state.detail = await focusedName(admin);
    return state.detail === expected ? true : undefined;
  });
}

function mailStep(key) {
  return {
    key,
    name: `Mail ${key}`,
    module: 'mail.send',
    params: { to: 'someone@example.test', subject: `Subject ${key}`, body: 'Hello.' },
    timeout_seconds: 60,
    retry: { max_attempts: 1, backoff_seconds: 1 },
  };
}

describe('runbook editing', () => {
  const run = new TestRun('runbook_editing', {
    serverEnv: { IPSOLIS_SCRIPT_LANGUAGES: 'powershell,bash,python' },
  });
  run.hooks();

  const suffix = randomBytes(4).toString('hex');
  const runbookName = `Shared runbook ${suffix}`;
  const scriptName = `cleanup-${suffix}`;
  let runbook;

  run.step('first administrator is created', async () => {
    const admin = await run.page('admin');
    await createFirstAdmin(admin);
    runbook = await adminRequest(admin, 'POST', '/api/v1/runbooks', {
      name: runbookName,
      steps: [mailStep('first'), mailStep('second'), mailStep('third')],
    });
  });

  run.step('a save from a stale tab is refused', async () => {
    const first = await run.page('admin');
    const second = await first.context().newPage();
    for (const page of [first, second]) {
      await page.goto(`${APP_URL}/ui/runbooks/${runbook.id}`);
      await page.getByRole('heading', { name: runbookName, ...exact }).waitFor();
    }

    const description = (page) => region(page, 'Runbook').getByLabel('Description', exact);
    await description(first).fill('Changed in the first tab.');
    await first.getByRole('button', { name: 'Save runbook', ...exact }).click();
    await expectText(first.getByRole('status'), 'Saved as version 2.', 'the first save');

    await description(second).fill('Changed in the second tab.');
    await second.getByRole('button', { name: 'Save runbook', ...exact }).click();
    await expectText(second.getByRole('status'), 'Not saved: see the message above.', 'the stale save');
    await expectText(
      region(second, 'Runbook').getByRole('alert'),
      /saved as version 2 after you opened version 1/,
      'the conflict message',
    );
    const saved = await adminRequest(first, 'GET', `/api/v1/runbooks/${runbook.id}`);
    assert.equal(saved.description, 'Changed in the first tab.', 'the first change is kept');

    // After a reload the second tab edits the current version and may save.
    await second.reload();
    await description(second).fill('Changed in the second tab.');
    await second.getByRole('button', { name: 'Save runbook', ...exact }).click();
    await expectText(second.getByRole('status'), 'Saved as version 3.', 'the save after a reload');
    await second.close();
  });

  run.step('keyboard focus follows a removed step', async () => {
    const admin = await run.page('admin');
    await admin.goto(`${APP_URL}/ui/runbooks/${runbook.id}`);
    const middle = stepCard(admin, 'Step 2: Mail second');
    await middle.getByRole('button', { name: 'Remove step', ...exact }).focus();
    await admin.keyboard.press('Enter');
    await stepCard(admin, 'Step 2: Mail third').waitFor();
    const third = stepCard(admin, 'Step 2: Mail third').getByLabel('Name', exact);
    const thirdId = await third.getAttribute('id');
    await expectFocus(admin, thirdId, 'focus moves to the step that took its place');

    // The last step's removal moves focus to the step before it.
    await stepCard(admin, 'Step 2: Mail third').getByRole('button', { name: 'Remove step', ...exact }).focus();
    await admin.keyboard.press('Enter');
    await stepCard(admin, 'Step 2: Mail third').waitFor({ state: 'detached' });
    const firstId = await stepCard(admin, 'Step 1: Mail first').getByLabel('Name', exact).getAttribute('id');
    await expectFocus(admin, firstId, 'focus to move to the step before');
  });

  run.step('confirmation questions keep keyboard focus', async () => {
    const admin = await run.page('admin');
    await adminRequest(admin, 'PUT', '/api/v1/runbook-variables/region', { value: 'eu-west', secret: false });
    await followNavLink(admin, 'Variables');
    const row = admin.getByRole('row').filter({ hasText: 'vars.region' });
    await row.getByRole('button', { name: 'Delete region', ...exact }).focus();
    await admin.keyboard.press('Enter');
    await row.getByText(/^Delete region\?/).waitFor();
    await expectFocus(admin, 'Keep variable', 'focus on the safe choice');
    await admin.keyboard.press('Enter');
    await row.getByRole('button', { name: 'Delete region', ...exact }).waitFor();
    await expectFocus(admin, 'Delete region', 'focus back on Delete');
  });

  run.step('a secret too short to mask is refused in the form', async () => {
    const admin = await run.page('admin');
    const form = region(admin, 'Add or replace a variable');
    await form.getByLabel('Name', exact).fill('short_secret');
    await form.getByLabel('Secret', exact).check();
    await form.getByLabel('Value', exact).fill('abc');
    await form.getByRole('button', { name: 'Save variable', ...exact }).click();
    await expectText(
      form.locator('.field-error'),
      'a secret must be at least 4 characters long, so it can be masked',
      'the error at the value',
    );
    const variables = await adminRequest(admin, 'GET', '/api/v1/runbook-variables');
    assert.ok(!variables.some((variable) => variable.name === 'short_secret'), 'nothing was saved');
  });

  run.step('a script that a runbook runs is kept', async () => {
    const admin = await run.page('admin');
    const script = await adminRequest(admin, 'POST', '/api/v1/scripts', {
      name: scriptName,
      language: 'bash',
      body: 'echo cleaning\n',
    });
    const user = await adminRequest(admin, 'POST', '/api/v1/runbooks', {
      name: `Cleanup ${suffix}`,
      steps: [{ ...mailStep('clean'), module: 'script', params: { script: scriptName } }],
    });
    await admin.goto(`${APP_URL}/ui/scripts/${script.id}`);
    await admin.getByRole('heading', { name: scriptName, ...exact }).waitFor();
    await admin.getByRole('button', { name: 'Delete script', ...exact }).click();
    await admin.getByRole('button', { name: 'Confirm delete', ...exact }).click();
    await expectText(admin.getByRole('alert'), new RegExp(`run by the runbooks Cleanup ${suffix}`), 'the refusal');
    assert.match(admin.url(), /\/ui\/scripts\/[0-9a-f-]{36}$/, 'the page stays open');

    // Renamed, the script stays chosen in the runbook's step.
    await admin.getByLabel('Name', exact).fill(`${scriptName}-v2`);
    await admin.getByRole('button', { name: 'Save script', ...exact }).click();
    await expectText(admin.getByRole('status'), 'Saved as version 1.', 'the rename');
    await admin.goto(`${APP_URL}/ui/runbooks/${user.id}`);
    const step = stepCard(admin, 'Step 1: Mail clean');
    const chosen = await step.getByLabel('Script', exact).inputValue();
    assert.equal(chosen, `${scriptName}-v2`, 'the step names the new name');
  });

  run.step('hostile text shows as text', async () => {
    const admin = await run.page('admin');
    const hostile = await adminRequest(admin, 'POST', '/api/v1/runbooks', {
      name: `${HOSTILE} ${suffix}`,
      description: HOSTILE,
      notes: HOSTILE,
      steps: [{ ...mailStep('mail'), name: HOSTILE }],
    });
    const started = await adminRequest(admin, 'POST', `/api/v1/runbooks/${hostile.id}/runs`, { note: HOSTILE });
    for (const path of ['/ui/runbooks', `/ui/runbooks/${hostile.id}`, `/ui/runbook-runs/${started.id}`]) {
      await admin.goto(`${APP_URL}${path}`);
      await admin.getByText(HOSTILE).first().waitFor();
      assert.equal(await admin.evaluate(() => window.__injected), undefined, `no markup ran on ${path}`);
      assert.equal(await admin.locator('img[src="x"]').count(), 0, `no image element on ${path}`);
    }
  });

  run.step('addresses with unknown ids say so', async () => {
    const admin = await run.page('admin');
    const cases = [
      ['/ui/runbooks/not-an-id', 'This runbook ID is not valid.'],
      [`/ui/runbooks/${randomUUID()}`, /There is no runbook with the id/],
      ['/ui/runbook-runs/not-an-id', 'This run ID is not valid.'],
      [`/ui/runbook-runs/${randomUUID()}`, /There is no runbook run with the id/],
      ['/ui/scripts/not-an-id', 'This script ID is not valid.'],
      [`/ui/scripts/${randomUUID()}`, /There is no script with the id/],
    ];
    for (const [path, expected] of cases) {
      await admin.goto(`${APP_URL}${path}`);
      await expectText(admin.getByRole('alert').locator('p'), expected, path);
    }
  });
});
