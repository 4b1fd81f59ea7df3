// Runbooks from the editor to the portal, in one Chromium. An administrator builds a runbook
// from scratch (an e-mail step and a directory step, reordered with Move up), checks it with a
// dry run, saves it and attaches it to a new asset definition with the Runbook strategy. An
// employee orders it, her manager approves it, and the portal shows the provisioning steps
// until they succeed. The administrator follows the run in its journal and stores a bash
// script in two versions. She runs it by hand with a note, cancels and retries a long run, and
// keeps variables and secrets. She copies the seeded example runbook and cannot delete a
// runbook a definition uses. An auditor reads runbooks without changing them, and helpdesk
// does not see them.
//
//   cd e2e && node --test browser/runbooks.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs. The server gets
// IPSOLIS_SCRIPT_LANGUAGES=powershell,bash,python, because one step runs a bash script.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';

import { APP_URL } from './lib/config.mjs';
import { expectText, fact, reloadUntilFact, waitUntil } from './lib/checks.mjs';
import { adminRequest, createAdminUserByApi } from './lib/admin_api.mjs';
import {
  JANE,
  MARTHA,
  connectServices,
  followNavLink,
  placeOrder,
  signInToAdmin,
  signInToPortal,
  signOutOfAdmin,
} from './lib/flows.mjs';
import { sameDn } from './lib/ldap.mjs';
import { waitForMail } from './lib/mail.mjs';
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };

const AUDITOR = { username: 'e2e-runbook-auditor', password: 'e2e-runbook-auditor-password-1' };
const HELPDESK = { username: 'e2e-runbook-helpdesk', password: 'e2e-runbook-helpdesk-password-1' };

function mainNav(page) {
  return page.getByRole('navigation', { name: 'Main', ...exact });
}

function region(page, name) {
  return page.getByRole('region', { name, ...exact });
}

function stepCard(page, legend) {
  return page.getByRole('group', { name: legend, ...exact });
}

// Chooses MODULE in the module picker and adds a step of it.
async function addStep(page, module) {
  await page.getByLabel('Module', exact).selectOption({ label: module });
  await page.getByRole('button', { name: 'Add step', ...exact }).click();
}

// Returns the rows of the steps table in SCOPE, each as [step, state] texts.
async function stepRows(scope) {
  const rows = scope.getByTestId('run-step');
  const count = await rows.count();
  const result = [];
  for (let index = 0; index < count; index += 1) {
    const cells = rows.nth(index).getByRole('cell');
    result.push([(await cells.nth(0).innerText()).trim(), (await cells.nth(1).innerText()).trim()]);
  }
  return result;
}

describe('runbooks', () => {
  const run = new TestRun('runbooks', {
    serverEnv: { IPSOLIS_SCRIPT_LANGUAGES: 'powershell,bash,python' },
  });
  run.hooks();

  const suffix = randomBytes(4).toString('hex');
  const runbookName = `Finance onboarding ${suffix}`;
  const assetName = `Finance workspace ${suffix}`;
  const welcomeSubject = `Welcome to ${assetName}`;
  const scriptName = `greeter-${suffix}`;
  const greeterName = `Greeter ${suffix}`;
  const sleeperScript = `sleeper-${suffix}`;
  const sleeperName = `Sleeper ${suffix}`;
  let orderUrl;

  run.step('administrator connects the services', async () => {
    const admin = await run.page('admin');
    await connectServices(admin, run.env);
  });

  run.step('administrator builds a runbook in the editor', async () => {
    const admin = await run.page('admin');
    await followNavLink(admin, 'Runbooks');
    await admin.getByRole('heading', { name: 'Runbooks', ...exact }).waitFor();
    await admin.getByRole('link', { name: 'Virtual Machine Recycler', ...exact }).waitFor();
    await admin.getByRole('link', { name: 'New runbook', ...exact }).click();
    await admin.getByRole('heading', { name: 'New runbook', ...exact }).waitFor();

    const details = region(admin, 'Runbook');
    await details.getByLabel('Name', exact).fill(runbookName);
    await details.getByLabel('Description', exact).fill('Welcomes the requester and grants the finance group.');

    await addStep(admin, 'Send e-mail');
    const mail = stepCard(admin, 'Step 1: Send e-mail');
    assert.equal(await mail.getByLabel('To', exact).inputValue(), '{{ requester.email }}', 'the default recipient');
    await mail.getByLabel('Subject', exact).fill(welcomeSubject);
    await mail.getByLabel('Body', exact).fill('Hello {{ requester.display_name }}, your workspace is ready.');

    await addStep(admin, 'Add group member');
    const member = stepCard(admin, 'Step 2: Add group member');
    assert.equal(await member.getByLabel('Key', exact).inputValue(), 'add_member', 'the new step key');
    assert.equal(
      await member.getByLabel('Member DN', exact).inputValue(),
      '{{ requester.dn }}',
      'the default member',
    );

    // The shared checks run before anything is sent: the group is required.
    await admin.getByRole('button', { name: 'Save runbook', ...exact }).click();
    await expectText(admin.getByRole('status'), 'Not saved: correct the fields marked below.', 'the save result');
    await expectText(member.locator('.field-error'), 'is required', 'the error at the group DN');
    assert.equal(await member.getByLabel('Group DN', exact).getAttribute('aria-invalid'), 'true', 'the group DN is marked');
    await member.getByLabel('Group DN', exact).fill(run.groupDn);

    await member.getByRole('button', { name: 'Move up', ...exact }).click();
    const moved = stepCard(admin, 'Step 1: Add group member');
    await moved.waitFor();
    await stepCard(admin, 'Step 2: Send e-mail').waitFor();
    await expectText(
      admin.getByTestId('step-announcement'),
      'Moved step Add group member to position 1 of 2.',
      'the announcement of the move',
    );
    // The moved step is first, so its Move up is disabled and focus stays on Move down.
    assert.equal(await moved.getByRole('button', { name: 'Move up', ...exact }).isDisabled(), true);
    const focused = await admin.evaluate(() => document.activeElement?.textContent?.trim());
    assert.equal(focused, 'Move down', 'keyboard focus after the move');

    // Dragging a step's handle onto another step moves it there; Move down puts it back. The
    // window grows for the drag, because a drop needs both steps on screen.
    const viewport = admin.viewportSize();
    await admin.setViewportSize({ width: viewport.width, height: 2000 });
    await stepCard(admin, 'Step 2: Send e-mail')
      .locator('.drag-handle')
      .dragTo(stepCard(admin, 'Step 1: Add group member'));
    await admin.setViewportSize(viewport);
    await stepCard(admin, 'Step 1: Send e-mail').waitFor();
    await expectText(
      admin.getByTestId('step-announcement'),
      'Moved step Send e-mail to position 1 of 2.',
      'the announcement of the drop',
    );
    await stepCard(admin, 'Step 1: Send e-mail').getByRole('button', { name: 'Move down', ...exact }).click();
    await stepCard(admin, 'Step 1: Add group member').waitFor();

    const dryRun = region(admin, 'Dry run');
    await dryRun.getByRole('button', { name: 'Dry run', ...exact }).click();
    await expectText(dryRun.getByRole('status'), 'Ready: no step has a problem.', 'the dry run result');
    const planned = dryRun.getByRole('listitem', { name: '1. Add group member', ...exact });
    await expectText(fact(planned, 'group_dn'), run.groupDn, 'the resolved group');
    await expectText(fact(planned, 'member_dn'), '<requester.dn>', 'the member without an order');
    const plannedMail = dryRun.getByRole('listitem', { name: '2. Send e-mail', ...exact });
    await expectText(fact(plannedMail, 'subject'), welcomeSubject, 'the resolved subject');

    await admin.getByRole('button', { name: 'Save runbook', ...exact }).click();
    await admin.waitForURL(/\/ui\/runbooks\/[0-9a-f-]{36}$/);
    await admin.getByRole('heading', { name: runbookName, ...exact }).waitFor();
    await expectText(fact(admin, 'Version'), '1', 'the saved version');
    await stepCard(admin, 'Step 1: Add group member').waitFor();
    await expectText(
      region(admin, 'Run history'),
      /This runbook has not run yet\./,
      'the empty run history',
    );
  });

  run.step('administrator attaches it to a Runbook definition', async () => {
    const admin = await run.page('admin');
    await followNavLink(admin, 'Asset definitions');
    await admin.getByRole('link', { name: 'New asset definition', ...exact }).click();
    await admin.getByRole('heading', { name: 'New asset definition', ...exact }).waitFor();
    await admin.getByLabel('Name', exact).fill(assetName);
    await admin.getByLabel('Category', exact).fill('Finance');
    await admin.getByLabel('Strategy', exact).selectOption({ label: 'Runbook' });

    // A Runbook definition needs its runbook, and the form reports that before sending.
    await admin.getByRole('button', { name: 'Save asset definition', ...exact }).click();
    await expectText(
      admin.locator('#definition-provision-runbook-error'),
      /needs the runbook that provisions its orders/,
      'the missing runbook',
    );
    await admin.getByLabel('Provisioning runbook', exact).selectOption({ label: runbookName });
    const policy = admin.getByLabel('When an order ends', exact);
    await policy.selectOption({ label: 'Return to pool with reinstall' });
    await admin.getByLabel('Reinstall runbook', exact).waitFor();
    await policy.selectOption({ label: 'Return to pool' });
    assert.equal(await admin.getByLabel('Reinstall runbook', exact).count(), 0, 'no reinstall runbook');
    await admin.getByLabel('Steps shown in the portal', exact).selectOption({ label: 'Step names, state and timing' });
    await admin.getByLabel('Justification', exact).selectOption({ label: 'Required' });
    await admin.getByRole('button', { name: 'Save asset definition', ...exact }).click();

    await admin.getByRole('heading', { name: 'Asset definitions', ...exact }).waitFor();
    await admin.getByRole('link', { name: assetName, ...exact }).waitFor();
  });

  run.step('employee orders it and her manager approves', async () => {
    const employee = await run.page('employee');
    await signInToPortal(employee, run.env, JANE);
    orderUrl = await placeOrder(employee, {
      assetName,
      days: 14,
      justification: 'Month-end closing needs the finance workspace.',
    });
    await expectText(fact(employee, 'State'), 'Waiting for approval', 'the new order state');

    const manager = await run.page('manager');
    await signInToPortal(manager, run.env, MARTHA);
    await followNavLink(manager, 'Approvals');
    const card = manager.getByRole('article', { name: `${assetName} for ${JANE.displayName}`, ...exact });
    await card.getByRole('button', { name: 'Approve', ...exact }).click();
    await expectText(manager.getByRole('status'), /^Approved /, 'the decision result');
  });

  run.step('portal shows the steps complete and the order active', async () => {
    const employee = await run.page('employee');
    await employee.goto(orderUrl);
    await reloadUntilFact(employee, 'State', 'Active', 'the provisioned order');

    const steps = region(employee, 'Provisioning steps');
    await waitUntil('both steps to succeed in the portal', async (state) => {
      const rows = await stepRows(steps);
      state.detail = JSON.stringify(rows);
      const expected = [
        ['Add group member', 'Succeeded'],
        ['Send e-mail', 'Succeeded'],
      ];
      return JSON.stringify(rows) === JSON.stringify(expected) ? rows : undefined;
    });
    // The definition shows steps without their logs.
    assert.equal(await steps.locator('.step-log').count(), 0, 'no log lines in the portal');

    const members = await run.directory.members(run.groupDn);
    assert.ok(
      members.some((dn) => sameDn(dn, JANE.dn)),
      `${run.groupDn} has the member ${JANE.dn}: ${JSON.stringify(members)}`,
    );
    await waitForMail(run.env.MAIL_API, { to: JANE.email, subject: welcomeSubject });
  });

  run.step('administrator follows the run in its journal', async () => {
    const admin = await run.page('admin');
    const orderId = orderUrl.split('/').pop();
    await admin.goto(`${APP_URL}/ui/orders/${orderId}`);
    await admin.getByRole('heading', { name: assetName, ...exact }).waitFor();

    const grants = region(admin, 'Grants');
    const grant = grants.getByRole('row').filter({ hasText: run.groupDn });
    await expectText(grant.getByRole('cell').nth(1), 'No', 'the group was not held before');
    await expectText(grant.getByRole('cell').nth(2), '—', 'no other order covers it');

    const runs = region(admin, 'Runbook runs');
    await runs.getByRole('link', { name: `Provision: ${runbookName}`, ...exact }).click();
    await admin.getByRole('heading', { name: `Run of ${runbookName}`, ...exact }).waitFor();
    await expectText(fact(admin, 'State'), 'Succeeded', 'the run state');
    await expectText(fact(admin, 'Purpose'), 'Provision', 'the run purpose');
    await expectText(fact(admin, 'Version'), '1', 'the runbook version');

    const step = admin.getByRole('listitem', { name: '1. Add group member', ...exact });
    await expectText(step.locator('.badge'), 'Succeeded', 'the step state');
    await expectText(fact(step, 'Attempts'), '1', 'the attempts');
    await expectText(step.locator('.log-message'), `added ${JANE.dn} to ${run.groupDn}`, 'the log line');
    await step.getByText('Read-back', exact).click();
    await expectText(step.locator('.json-details pre').last(), /"is_member": true/, 'the read-back JSON');
    assert.equal(await admin.getByRole('button', { name: 'Retry', ...exact }).count(), 0, 'no Retry after success');
    assert.equal(await admin.getByRole('button', { name: 'Cancel run', ...exact }).count(), 0, 'no Cancel after the end');
  });

  run.step('administrator stores a script in two versions', async () => {
    const admin = await run.page('admin');
    await followNavLink(admin, 'Scripts');
    await admin.getByRole('link', { name: 'New script', ...exact }).click();
    await admin.getByLabel('Name', exact).fill(scriptName);
    await admin.getByLabel('Language', exact).selectOption({ label: 'bash' });
    await admin.getByLabel('Body', exact).fill('echo "first version"\n');
    await admin.getByRole('button', { name: 'Save script', ...exact }).click();
    await admin.waitForURL(/\/ui\/scripts\/[0-9a-f-]{36}$/);
    await admin.getByRole('heading', { name: scriptName, ...exact }).waitFor();

    const body = [
      'read -r arguments',
      'echo "greeting with $arguments"',
      "printf '{\"greeted\": true}' > \"$IPSOLIS_RESULT\"",
      '',
    ].join('\n');
    await admin.getByLabel('Body', exact).fill(body);
    await admin.getByRole('button', { name: 'Save script', ...exact }).click();
    await expectText(admin.getByRole('status'), 'Saved as version 2.', 'the second save');

    const history = region(admin, 'Version history');
    const first = history.getByText(/^Version 1, saved /);
    await history.getByText(/^Version 2, saved /).waitFor();
    await first.click();
    await expectText(history.locator('details[open] pre'), 'echo "first version"', 'the body of version 1');
  });

  run.step('administrator runs a script runbook by hand', async () => {
    const admin = await run.page('admin');
    await followNavLink(admin, 'Runbooks');
    await admin.getByRole('link', { name: 'New runbook', ...exact }).click();
    await region(admin, 'Runbook').getByLabel('Name', exact).fill(greeterName);
    await addStep(admin, 'Run script');
    const step = stepCard(admin, 'Step 1: Run script');
    await step.getByLabel('Script', exact).selectOption({ label: scriptName });
    await step.getByLabel('Arguments', exact).fill('{"name": "Ada"}');
    await admin.getByRole('button', { name: 'Save runbook', ...exact }).click();
    await admin.getByRole('heading', { name: greeterName, ...exact }).waitFor();

    const runNow = region(admin, 'Run now');
    await runNow.getByLabel('Note', exact).fill('Checking the greeter.');
    await runNow.getByRole('button', { name: 'Run now', ...exact }).click();
    await admin.waitForURL(/\/ui\/runbook-runs\/[0-9a-f-]{36}$/);
    await admin.getByRole('heading', { name: `Run of ${greeterName}`, ...exact }).waitFor();
    // The page refreshes itself while the run is queued or running.
    await expectText(fact(admin, 'State'), 'Succeeded', 'the run state');
    await expectText(fact(admin, 'Purpose'), 'By hand', 'the run purpose');
    await expectText(fact(admin, 'Notes'), 'Checking the greeter.', 'the note given at the start');

    const journal = admin.getByRole('listitem', { name: '1. Run script', ...exact });
    await expectText(journal.locator('.log-message'), 'greeting with {"name":"Ada"}', 'the script output line');
    await journal.getByText('Output', exact).click();
    await expectText(journal.locator('.json-details pre').first(), /"greeted": true/, 'the step output');

    const actions = region(admin, 'Actions');
    await actions.getByLabel('Note', exact).fill('Output looks right.');
    await actions.getByRole('button', { name: 'Add note', ...exact }).click();
    await expectText(actions.getByRole('status'), 'Note added.', 'the note result');
    await expectText(fact(admin, 'Notes'), /Output looks right\.$/, 'the added note');
  });

  run.step('administrator cancels a run and retries it', async () => {
    const admin = await run.page('admin');
    // The script and runbook come through the API: the steps above cover their forms.
    await adminRequest(admin, 'POST', '/api/v1/scripts', {
      name: sleeperScript,
      language: 'bash',
      body: 'echo "sleeping"\nsleep 60\n',
    });
    const sleeper = await adminRequest(admin, 'POST', '/api/v1/runbooks', {
      name: sleeperName,
      steps: [
        {
          key: 'sleep',
          name: 'Sleep a minute',
          module: 'script',
          params: { script: sleeperScript },
          timeout_seconds: 120,
          retry: { max_attempts: 1, backoff_seconds: 1 },
        },
      ],
    });
    await admin.goto(`${APP_URL}/ui/runbooks/${sleeper.id}`);
    await region(admin, 'Run now').getByRole('button', { name: 'Run now', ...exact }).click();
    await admin.getByRole('heading', { name: `Run of ${sleeperName}`, ...exact }).waitFor();
    const step = admin.getByRole('listitem', { name: '1. Sleep a minute', ...exact });
    await expectText(step.locator('.badge'), 'Running', 'the sleeping step');

    const actions = region(admin, 'Actions');
    await actions.getByRole('button', { name: 'Cancel run', ...exact }).click();
    await actions.getByText(/^Cancel this run\?/).waitFor();
    await actions.getByRole('button', { name: 'Confirm cancel', ...exact }).click();
    await expectText(actions.getByRole('status'), 'Cancel requested.', 'the cancel result');
    await expectText(fact(admin, 'State'), 'Cancelled', 'the cancelled run');
    assert.equal(await actions.getByRole('button', { name: 'Cancel run', ...exact }).count(), 0, 'no second Cancel');

    await actions.getByRole('button', { name: 'Retry', ...exact }).click();
    await expectText(actions.getByRole('status'), 'Retrying from the failed step.', 'the retry result');
    await expectText(fact(admin, 'State'), /^(Queued|Running)$/, 'the retried run');
    await expectText(step.locator('.badge'), 'Running', 'the step running again');
    await actions.getByRole('button', { name: 'Cancel run', ...exact }).click();
    await actions.getByRole('button', { name: 'Confirm cancel', ...exact }).click();
    await expectText(fact(admin, 'State'), 'Cancelled', 'the run cancelled again');
  });

  run.step('administrator keeps variables and secrets', async () => {
    const admin = await run.page('admin');
    await followNavLink(admin, 'Variables');
    await admin.getByRole('heading', { name: 'Runbook variables', ...exact }).waitFor();
    const form = region(admin, 'Add or replace a variable');

    await form.getByLabel('Name', exact).fill('xen_url');
    await form.getByLabel('Value', exact).fill('https://xen01.example.test');
    await form.getByRole('button', { name: 'Save variable', ...exact }).click();
    await expectText(form.getByRole('status'), 'Saved xen_url.', 'the variable save');

    await form.getByLabel('Name', exact).fill('xen_password');
    await form.getByLabel('Secret', exact).check();
    assert.equal(await form.getByLabel('Value', exact).getAttribute('type'), 'password', 'a secret is typed hidden');
    await form.getByLabel('Value', exact).fill('s3cret-value');
    await form.getByRole('button', { name: 'Save variable', ...exact }).click();
    await expectText(form.getByRole('status'), 'Saved xen_password.', 'the secret save');

    const plain = admin.getByRole('row').filter({ hasText: 'vars.xen_url' });
    await expectText(plain.getByRole('cell').nth(1), 'https://xen01.example.test', 'the variable value');
    const secret = admin.getByRole('row').filter({ hasText: 'secrets.xen_password' });
    await expectText(secret.getByRole('cell').nth(1), 'Secret: set', 'the secret without its value');
    assert.ok(!(await admin.content()).includes('s3cret-value'), 'the secret value is nowhere on the page');

    await secret.getByRole('button', { name: 'Edit xen_password', ...exact }).click();
    assert.equal(await form.getByLabel('Name', exact).inputValue(), 'xen_password');
    assert.equal(await form.getByLabel('Value', exact).inputValue(), '', 'a secret is never prefilled');

    await plain.getByRole('button', { name: 'Delete xen_url', ...exact }).click();
    await plain.getByRole('button', { name: 'Confirm delete', ...exact }).click();
    await waitUntil('the deleted variable to leave the list', async () =>
      (await admin.getByRole('row').filter({ hasText: 'vars.xen_url' }).count()) === 0 ? true : undefined,
    );
  });

  run.step('administrator copies the example and cannot delete a used runbook', async () => {
    const admin = await run.page('admin');
    await followNavLink(admin, 'Runbooks');
    const example = admin.getByRole('row').filter({
      has: admin.getByRole('link', { name: 'Virtual Machine Recycler', ...exact }),
    });
    await example.getByRole('button', { name: 'Copy Virtual Machine Recycler', ...exact }).click();
    await admin.getByRole('heading', { name: 'Copy of Virtual Machine Recycler', ...exact }).waitFor();
    await stepCard(admin, 'Step 1: Shut down the VM').waitFor();
    assert.equal(await region(admin, 'Runbook').getByLabel('Schedule', exact).inputValue(), '', 'a copy has no schedule');

    await followNavLink(admin, 'Runbooks');
    const used = admin.getByRole('row').filter({ has: admin.getByRole('link', { name: runbookName, ...exact }) });
    await expectText(used.getByRole('cell').nth(3), assetName, 'the definition that uses it');
    await expectText(used.getByRole('cell').nth(4), /^Succeeded/, 'its last run');
    await used.getByRole('button', { name: `Delete ${runbookName}`, ...exact }).click();
    await used.getByRole('button', { name: 'Confirm delete', ...exact }).click();
    await expectText(used.getByRole('alert'), new RegExp(`used by ${assetName}`), 'the conflict message');
  });

  run.step('auditor reads runbooks without changing them', async () => {
    const admin = await run.page('admin');
    await createAdminUserByApi(admin, { ...AUDITOR, role: 'auditor' });
    await createAdminUserByApi(admin, { ...HELPDESK, role: 'helpdesk' });

    await signOutOfAdmin(admin);
    await signInToAdmin(admin, AUDITOR);
    await followNavLink(admin, 'Runbooks');
    await admin.getByRole('link', { name: runbookName, ...exact }).waitFor();
    assert.equal(await admin.getByRole('link', { name: 'New runbook', ...exact }).count(), 0, 'no New runbook');
    assert.equal(await admin.getByRole('button', { name: 'Copy', ...exact }).count(), 0, 'no Copy');
    await admin.getByRole('link', { name: runbookName, ...exact }).click();
    await admin.getByRole('heading', { name: runbookName, ...exact }).waitFor();
    assert.equal(await region(admin, 'Runbook').getByLabel('Name', exact).isDisabled(), true, 'the name is read-only');
    for (const name of ['Save runbook', 'Add step', 'Move down', 'Run now']) {
      assert.equal(await admin.getByRole('button', { name, ...exact }).count(), 0, `no ${name}`);
    }
    // A dry run changes nothing, so an auditor may run one.
    const dryRun = region(admin, 'Dry run');
    await dryRun.getByRole('button', { name: 'Dry run', ...exact }).click();
    await expectText(dryRun.getByRole('status'), 'Ready: no step has a problem.', 'the auditor dry run');
    await region(admin, 'Run history').getByRole('link').first().click();
    await admin.getByRole('heading', { name: `Run of ${runbookName}`, ...exact }).waitFor();
    assert.equal(await region(admin, 'Actions').count(), 0, 'no run actions');

    await signOutOfAdmin(admin);
    await signInToAdmin(admin, HELPDESK);
    for (const name of ['Runbooks', 'Scripts', 'Variables']) {
      assert.equal(await mainNav(admin).getByRole('link', { name, ...exact }).count(), 0, `no ${name} for helpdesk`);
    }
  });
});
