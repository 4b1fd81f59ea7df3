// Asset definitions with the pool settings, and the pool of instances, in one Chromium. An
// administrator fills in every section of the definition form, including typed attributes, a
// monthly cost and a help text whose script the server strips. The administrator then adds
// instances to the pool, searches it, moves one into maintenance and back, and imports more
// from a CSV file after checking it. An auditor sees it all read-only.
//
//   cd e2e && node --test browser/pool.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';

import { APP_URL } from './lib/config.mjs';
import { adminRequest, createAdminUserByApi } from './lib/admin_api.mjs';
import { expectText, waitUntil } from './lib/checks.mjs';
import { createFirstAdmin, followNavLink, signInToAdmin, signOutOfAdmin } from './lib/flows.mjs';
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };

const AUDITOR = { username: 'e2e-pool-auditor', password: 'e2e-pool-auditor-password-1' };
const HELP_TEXT = [
  'Read the [VDI guide](https://intranet.example.test/vdi) before you order.',
  '',
  '<script>window.helpScriptRan = true;</script>',
].join('\n');

function section(page, name) {
  return page.getByRole('region', { name, ...exact });
}

function attribute(page, number) {
  return page.getByRole('group', { name: `Attribute ${number}`, ...exact });
}

function fieldErrors(scope) {
  return scope.locator('.field-error');
}

async function checkedLabel(select) {
  return (await select.locator('option:checked').innerText()).trim();
}

// The body rows of the pool table, without those of an import preview.
function poolRows(page) {
  return page.locator('table:not(.import-preview) tbody tr');
}

function poolRow(page, name) {
  return poolRows(page).filter({ has: page.locator('td:first-child', { hasText: name }) });
}

// Waits until the pool table lists exactly NAMES, in that order.
async function expectPoolNames(page, names, description) {
  await waitUntil(`${description}: ${names.join(', ')}`, async (state) => {
    const firstCells = await poolRows(page).locator('td:first-child').allInnerTexts();
    const shown = firstCells.map((text) => text.split('\n')[0].trim());
    state.detail = JSON.stringify(shown);
    return JSON.stringify(shown) === JSON.stringify(names) ? true : undefined;
  });
}

describe('asset pool', () => {
  const run = new TestRun('pool');
  run.hooks();

  const suffix = randomBytes(3).toString('hex');
  const definitionName = `VDI desktop ${suffix}`;
  const quotaName = `Shared licence ${suffix}`;

  run.step('first administrator is created', async () => {
    const admin = await run.page('admin');
    await createFirstAdmin(admin);
  });

  run.step('administrator fills in a pooled definition', async () => {
    const page = await run.page('admin');
    await followNavLink(page, 'Asset definitions');
    await page.getByRole('link', { name: 'New asset definition', ...exact }).click();
    await page.getByRole('heading', { name: 'New asset definition', ...exact }).waitFor();

    await page.getByLabel('Name', exact).fill(definitionName);
    await page.getByLabel('Category', exact).fill('Workplace');
    await page.getByLabel('Group DNs', exact).fill(run.groupDn);
    await page.getByLabel('Icon', exact).selectOption({ label: 'Desktop' });
    await page.getByLabel('Help text', exact).fill(HELP_TEXT);

    const assignment = page.getByLabel('Assignment', exact);
    await assignment.selectOption({ label: 'Dedicated shared: instances shared by several people' });
    await page.getByLabel('Users per instance', exact).waitFor();
    assert.equal(await page.getByLabel('Capacity', exact).count(), 0, 'no capacity for shared instances');
    await assignment.selectOption({ label: 'Assigned personal: one instance per order' });
    assert.equal(await page.getByLabel('Users per instance', exact).count(), 0, 'no sharing for personal ones');
    await page.getByLabel('Maximum open orders per person', exact).fill('1');
    await page.getByLabel('When an order ends', exact).selectOption({ label: 'Return to pool with reinstall' });

    // Attribute 1: a select whose key is not valid and which has no choices yet.
    await page.getByRole('button', { name: 'Add attribute', ...exact }).click();
    const size = attribute(page, 1);
    await size.getByLabel('Key', exact).fill('9size');
    await size.getByLabel('Label', exact).fill('Size');
    await size.getByLabel('Kind', exact).selectOption({ label: 'Select' });
    await size.getByLabel('Required', exact).check();

    // Attribute 2: personal data in a text field.
    await page.getByRole('button', { name: 'Add attribute', ...exact }).click();
    const owner = attribute(page, 2);
    await owner.getByLabel('Key', exact).fill('owner_name');
    await owner.getByLabel('Label', exact).fill('Owner name');
    await owner.getByLabel('Classification', exact).selectOption({ label: 'PII (personal data)' });
    await owner.getByLabel('Maximum length', exact).fill('80');

    await page.getByLabel('Allow extensions', exact).check();
    await page.getByLabel('Maximum days per extension', exact).fill('14');
    await page.getByLabel('Maximum extensions per order', exact).fill('2');
    await page.getByLabel('Reminder days', exact).fill('7, 1');
    await page.getByLabel('Amount per month', exact).fill('45.00');
    await page.getByLabel('Currency', exact).fill('eur');
    await page.getByLabel('Cost center', exact).fill('IT-42');

    // The shared rules run before any request and name the nested fields.
    const save = page.getByRole('button', { name: 'Save asset definition', ...exact });
    await save.click();
    await expectText(fieldErrors(size), /^must start with a lower-case letter/, 'the key error of attribute 1');
    await expectText(fieldErrors(size), 'must list 1 to 50 choices', 'the choices error of attribute 1');
    assert.equal(await fieldErrors(owner).count(), 0, 'attribute 2 has no errors');
    assert.equal(page.url(), `${APP_URL}/ui/definitions/new`, 'the form stays open');

    await size.getByLabel('Key', exact).fill('size');
    await size.getByLabel('Choices', exact).fill('Standard\nPower user\n');
    await save.click();

    await page.getByRole('heading', { name: 'Asset definitions', ...exact }).waitFor();
    await page.getByRole('link', { name: definitionName, ...exact }).waitFor();
  });

  run.step('the definition reopens with its values', async () => {
    const page = await run.page('admin');
    await page.getByRole('link', { name: definitionName, ...exact }).click();
    await page.getByRole('heading', { name: 'Edit asset definition', ...exact }).waitFor();
    await page.getByLabel('Name', exact).waitFor();

    assert.equal(await checkedLabel(page.getByLabel('Icon', exact)), 'Desktop', 'the icon');
    assert.equal(
      await checkedLabel(page.getByLabel('Assignment', exact)),
      'Assigned personal: one instance per order',
      'the assignment',
    );
    assert.equal(await page.getByLabel('Maximum open orders per person', exact).inputValue(), '1');
    assert.equal(await page.getByLabel('Help text', exact).inputValue(), HELP_TEXT, 'the help text');
    assert.equal(await page.getByLabel('Amount per month', exact).inputValue(), '45.00', 'the amount');
    assert.equal(await page.getByLabel('Currency', exact).inputValue(), 'EUR', 'the currency');
    assert.equal(await page.getByLabel('Cost center', exact).inputValue(), 'IT-42', 'the cost center');
    assert.equal(await page.getByLabel('Reminder days', exact).inputValue(), '7, 1', 'the reminders');
    assert.equal(await page.getByLabel('Allow extensions', exact).isChecked(), true, 'extensions');
    assert.equal(await page.getByLabel('Maximum days per extension', exact).inputValue(), '14');

    const size = attribute(page, 1);
    assert.equal(await size.getByLabel('Key', exact).inputValue(), 'size');
    assert.equal(await checkedLabel(size.getByLabel('Kind', exact)), 'Select');
    assert.equal(await size.getByLabel('Choices', exact).inputValue(), 'Standard\nPower user');
    assert.equal(await size.getByLabel('Required', exact).isChecked(), true, 'attribute 1 is required');
    const owner = attribute(page, 2);
    assert.equal(await owner.getByLabel('Key', exact).inputValue(), 'owner_name');
    assert.equal(await checkedLabel(owner.getByLabel('Kind', exact)), 'Text');
    assert.equal(await checkedLabel(owner.getByLabel('Classification', exact)), 'PII (personal data)');
    assert.equal(await owner.getByLabel('Maximum length', exact).inputValue(), '80');

    // The preview is the server's sanitized HTML: the link stays, the script does not.
    const preview = section(page, 'Help preview (as saved)');
    const link = preview.getByRole('link', { name: 'VDI guide', ...exact });
    assert.equal(await link.getAttribute('href'), 'https://intranet.example.test/vdi', 'the help link');
    assert.equal(await preview.locator('script').count(), 0, 'the preview has no script element');
    assert.ok(!(await preview.innerHTML()).includes('helpScriptRan'), 'the script text is gone');
    assert.equal(await page.evaluate(() => window.helpScriptRan), undefined, 'no help script ran');

    // Reordering moves the whole row, and moving it back restores the saved order.
    await size.getByRole('button', { name: 'Move down', ...exact }).click();
    assert.equal(await attribute(page, 1).getByLabel('Key', exact).inputValue(), 'owner_name');
    assert.equal(await attribute(page, 2).getByLabel('Key', exact).inputValue(), 'size');
    assert.equal(await attribute(page, 1).getByRole('button', { name: 'Move up', ...exact }).isDisabled(), true);
    await attribute(page, 2).getByRole('button', { name: 'Move up', ...exact }).click();
    assert.equal(await attribute(page, 1).getByLabel('Key', exact).inputValue(), 'size');

    // A saved change refreshes the preview from the server's response.
    await page.getByLabel('Help text', exact).fill('See the **VDI guide**.');
    await page.getByRole('button', { name: 'Save asset definition', ...exact }).click();
    await expectText(page.getByRole('status'), 'Saved', 'the save result');
    await expectText(preview.locator('strong'), 'VDI guide', 'the bold text in the new preview');
    await page.getByLabel('Help text', exact).fill(HELP_TEXT);
    await page.getByRole('button', { name: 'Save asset definition', ...exact }).click();
    await preview.getByRole('link', { name: 'VDI guide', ...exact }).waitFor();
  });

  run.step('administrator adds instances to the pool', async () => {
    const page = await run.page('admin');
    // A quota definition has no instances, so the form does not offer it.
    await adminRequest(page, 'POST', '/api/v1/asset-definitions', {
      name: quotaName,
      strategy: 'group_access',
      group_dns: [run.groupDn],
      approval: { manager: {} },
      default_duration_days: 30,
      max_duration_days: 90,
      justification: 'optional',
      assignment: 'capacity_pooled',
      capacity: 10,
    });

    await followNavLink(page, 'Pool');
    await page.getByRole('heading', { name: 'Pool', ...exact }).waitFor();
    await page.getByText('No instances match.', exact).waitFor();
    const filterDefinitions = page.getByRole('search').getByLabel('Definition', exact);
    await expectText(filterDefinitions.locator('option'), quotaName, 'the definition filter');

    const form = section(page, 'Add instance');
    const definition = form.getByLabel('Definition', exact);
    await expectText(definition.locator('option'), definitionName, 'the definition choices');
    const offered = await definition.locator('option').allInnerTexts();
    assert.deepEqual(offered, ['Choose a definition', definitionName], 'only pooled definitions');

    await definition.selectOption({ label: definitionName });
    await form.getByLabel('Name', exact).fill('vdi-001');
    await form.getByLabel('Metadata (JSON)', exact).fill('{"host": "vdi-001.example.test"');
    await form.getByRole('button', { name: 'Add instance', ...exact }).click();
    await expectText(fieldErrors(form), /^is not valid JSON: /, 'the metadata error');
    await form.getByLabel('Metadata (JSON)', exact).fill('["vdi-001"]');
    await form.getByRole('button', { name: 'Add instance', ...exact }).click();
    await expectText(fieldErrors(form), /^must be a JSON object/, 'the metadata shape error');
    assert.equal(await poolRows(page).count(), 0, 'nothing was added');

    await form.getByLabel('Metadata (JSON)', exact).fill('{"host": "vdi-001.example.test"}');
    await form.getByRole('button', { name: 'Add instance', ...exact }).click();
    const added = (name) => `Added ${name} to the pool of ${definitionName}.`;
    await expectText(form.getByRole('status'), added('vdi-001'), 'the first add result');
    assert.equal(await fieldErrors(form).count(), 0, 'the errors are gone');

    await form.getByLabel('Name', exact).fill('vdi-002');
    await form.getByRole('button', { name: 'Add instance', ...exact }).click();
    await expectText(form.getByRole('status'), added('vdi-002'), 'the second add result');
    await expectPoolNames(page, ['vdi-001', 'vdi-002'], 'the pool after adding');

    const cells = poolRow(page, 'vdi-001').getByRole('cell');
    await expectText(cells.nth(0), /vdi-001\.example\.test/, 'the metadata under the name');
    await expectText(cells.nth(1), definitionName, 'the definition column');
    await expectText(cells.nth(2), 'Free', 'the status of a new instance');
    await expectText(cells.nth(3), '0', 'the holders of a new instance');

    // The server names a taken name as a field error.
    await form.getByLabel('Name', exact).fill('vdi-002');
    await form.getByRole('button', { name: 'Add instance', ...exact }).click();
    await expectText(fieldErrors(form), 'another instance of this definition has this name', 'the name error');
  });

  run.step('administrator searches and moves an instance', async () => {
    const page = await run.page('admin');
    const search = page.getByRole('search');
    await search.getByLabel('Name contains', exact).fill('002');
    await search.getByRole('button', { name: 'Search', ...exact }).click();
    await expectPoolNames(page, ['vdi-002'], 'the search result');

    const row = poolRow(page, 'vdi-002');
    const status = row.getByRole('cell').nth(2);
    const choice = page.getByLabel('New status for vdi-002', exact);
    const setStatus = async (label) => {
      await choice.selectOption({ label });
      await row.getByRole('button', { name: 'Set status', ...exact }).click();
      await expectText(status, label, `the status after setting ${label}`);
    };
    // Only the moves an admin may make by hand are offered.
    assert.deepEqual(await choice.locator('option').allInnerTexts(), ['Change to…', 'Maintenance']);
    await setStatus('Maintenance');
    assert.deepEqual(await choice.locator('option').allInnerTexts(), ['Change to…', 'Free', 'Reinstall']);
    await setStatus('Free');

    // Another admin moved it meanwhile, so the server rejects the stale move and returns the reason.
    const [asset] = (await adminRequest(page, 'GET', '/api/v1/assets?q=vdi-002')).items;
    await adminRequest(page, 'POST', `/api/v1/assets/${asset.id}/status`, { status: 'maintenance' });
    await choice.selectOption({ label: 'Maintenance' });
    await row.getByRole('button', { name: 'Set status', ...exact }).click();
    const rejected = 'vdi-002 is maintenance; from there it can be set to free, reinstall.';
    await expectText(row.getByRole('alert'), rejected, 'the rejected move');

    await search.getByLabel('Name contains', exact).fill('');
    await search.getByLabel('Status', exact).selectOption({ label: 'Maintenance' });
    await expectPoolNames(page, ['vdi-002'], 'the instances in maintenance');
    await expectText(poolRow(page, 'vdi-002').getByRole('cell').nth(2), 'Maintenance', 'the status filter');
    await setStatus('Free');
    await search.getByLabel('Status', exact).selectOption({ label: 'All statuses' });
    await expectPoolNames(page, ['vdi-001', 'vdi-002'], 'the whole pool');
  });

  run.step('administrator imports instances from a CSV file', async () => {
    const page = await run.page('admin');
    const form = section(page, 'Import from CSV');
    const definition = form.getByLabel('Definition', exact);
    await expectText(definition.locator('option'), definitionName, 'the import definition choices');
    const offered = await definition.locator('option').allInnerTexts();
    assert.deepEqual(offered, ['Choose a definition', definitionName], 'only pooled definitions to import');
    const importButton = form.getByRole('button', { name: 'Import', ...exact });
    const checkButton = form.getByRole('button', { name: 'Check file', ...exact });
    assert.equal(await importButton.isDisabled(), true, 'Import waits for a check');

    // Line 2 names an instance the pool already has.
    await definition.selectOption({ label: definitionName });
    // The first file is chosen from disk; later corrections are typed into its text.
    const firstFile = 'name,status,rack\nvdi-002,free,A1\nvdi-003,maintenance,A2\nvdi-004,,B1\n';
    await form.getByLabel('CSV file', exact).setInputFiles({
      name: 'pool.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(firstFile),
    });
    const csv = form.getByLabel('CSV text', exact);
    await form.getByText('Read pool.csv.', exact).waitFor();
    await waitUntil('the file text in the form', async (state) => {
      state.detail = await csv.inputValue();
      return state.detail === firstFile ? true : undefined;
    });
    await checkButton.click();
    const summary = form.locator('.import-summary');
    await expectText(summary, '3 rows read, 1 error. Correct it and check the file again.', 'the failed check');
    const problems = form.getByRole('list', { name: 'Errors in the file', ...exact }).getByRole('listitem');
    await expectText(problems, 'Line 2, name: an instance named vdi-002 already exists', 'the line error');
    assert.equal(await problems.count(), 1, 'one error');
    assert.equal(await importButton.isDisabled(), true, 'Import stays off after a check with errors');
    await expectPoolNames(page, ['vdi-001', 'vdi-002'], 'the pool after the failed check');

    await csv.fill('name,status,rack\nvdi-005,free,A1\nvdi-003,maintenance,A2\nvdi-004,,B1\n');
    assert.equal(await summary.count(), 0, 'an edited file needs a new check');
    await checkButton.click();
    await expectText(summary, '3 rows read, no errors.', 'the passed check');
    const preview = form.locator('table.import-preview tbody tr');
    await waitUntil('the import preview', async (state) => {
      const names = await preview.locator('td:nth-child(2)').allInnerTexts();
      state.detail = JSON.stringify(names);
      return JSON.stringify(names) === '["vdi-005","vdi-003","vdi-004"]' ? true : undefined;
    });
    await expectText(preview.nth(1).getByRole('cell').nth(2), 'Maintenance', 'the previewed status');
    await expectText(preview.nth(1).getByRole('cell').nth(3), /"rack":"A2"/, 'the previewed metadata');
    assert.equal(await importButton.isDisabled(), false, 'Import is offered after a clean check');

    // Another admin takes vdi-005 after the check, so the server rejects the whole import.
    const definitionId = await definition.inputValue();
    await adminRequest(page, 'POST', '/api/v1/assets', { definition_id: definitionId, name: 'vdi-005', metadata: {} });
    await importButton.click();
    await expectText(problems, 'Line 2, name: an instance named vdi-005 already exists', 'the rejected import');
    assert.equal(await importButton.isDisabled(), true, 'Import stays off after a rejected import');
    const { items: vdi003 } = await adminRequest(page, 'GET', '/api/v1/assets?q=vdi-003');
    assert.equal(vdi003.length, 0, 'the rejected import created nothing');

    await csv.fill('name,status,rack\nvdi-006,free,A1\nvdi-003,maintenance,A2\nvdi-004,,B1\n');
    await checkButton.click();
    await expectText(summary, '3 rows read, no errors.', 'the check of the corrected file');
    assert.equal(await problems.count(), 0, 'the errors are gone');
    await importButton.click();
    await expectText(form.getByRole('status'), 'Imported 3 instances.', 'the import result');
    const allNames = ['vdi-001', 'vdi-002', 'vdi-003', 'vdi-004', 'vdi-005', 'vdi-006'];
    await expectPoolNames(page, allNames, 'the pool after the import');
    await expectText(poolRow(page, 'vdi-003').getByRole('cell').nth(2), 'Maintenance', 'the imported status');
    await expectText(poolRow(page, 'vdi-004').getByRole('cell').nth(0), /B1/, 'the imported metadata');
    assert.equal(await importButton.isDisabled(), true, 'Import waits for the next check');
  });

  run.step('an auditor sees the pool read-only', async () => {
    const page = await run.page('admin');
    await createAdminUserByApi(page, { ...AUDITOR, role: 'auditor' });
    await signOutOfAdmin(page);
    await signInToAdmin(page, AUDITOR);

    await followNavLink(page, 'Pool');
    await page.getByRole('heading', { name: 'Pool', ...exact }).waitFor();
    const allNames = ['vdi-001', 'vdi-002', 'vdi-003', 'vdi-004', 'vdi-005', 'vdi-006'];
    await expectPoolNames(page, allNames, 'the pool of an auditor');
    assert.equal(await section(page, 'Add instance').count(), 0, 'no Add instance form');
    assert.equal(await section(page, 'Import from CSV').count(), 0, 'no import form');
    assert.equal(await page.getByRole('button', { name: 'Set status', ...exact }).count(), 0, 'no status control');
    assert.equal(await page.getByRole('columnheader', { name: 'Change status', ...exact }).count(), 0);

    await followNavLink(page, 'Asset definitions');
    await page.getByRole('link', { name: definitionName, ...exact }).click();
    await page.getByRole('heading', { name: 'Edit asset definition', ...exact }).waitFor();
    const key = attribute(page, 1).getByLabel('Key', exact);
    await key.waitFor();
    assert.equal(await key.isDisabled(), true, 'the attribute key is read-only');
    assert.equal(await page.getByLabel('Amount per month', exact).isDisabled(), true);
    for (const name of ['Save asset definition', 'Add attribute', 'Move up', 'Remove']) {
      assert.equal(await page.getByRole('button', { name, ...exact }).count(), 0, `no ${name} button`);
    }
    await section(page, 'Help preview (as saved)').getByRole('link', { name: 'VDI guide', ...exact }).waitFor();
  });
});
