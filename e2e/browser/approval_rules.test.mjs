// The approval rule editor: the administrator builds a rule whose condition nests a NOT group
// inside an AND group, watches the client-side check mark an empty value at its node, and uses
// "Who would approve" on the unsaved form to learn when the rule adds its approver. The saved
// definition reopens with the same tree.
//
//   cd e2e && node --test browser/approval_rules.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';

import { expectText } from './lib/checks.mjs';
import { connectServices, followNavLink } from './lib/flows.mjs';
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };
const RULE = 'approval.rules[0]';
const MANAGER = 'Martha Finch <mfinch@example.test>';
const CEO = 'Charles Whitmore <cwhitmore@example.test>';

// Returns the condition node at PATH below the first rule, such as `when.and[1].not`.
function node(page, path) {
  return page.locator(`[data-path="${RULE}.${path}"]`);
}

// Returns the toolbar of the group or leaf LOCATOR, without those of its children.
function toolbar(locator) {
  return locator.locator(':scope > .condition-toolbar');
}

describe('approval rule editor', () => {
  const run = new TestRun('approval-rules');
  run.hooks();

  const assetName = `Reporting database ${randomBytes(4).toString('hex')}`;
  const ruleName = 'Long access outside the US';

  // Fills the sample order of the preview and returns the text of each planned group.
  async function preview(page, { duration, region }) {
    const panel = page.getByRole('complementary', { name: 'Who would approve', ...exact });
    await panel.getByLabel('Sample requester', exact).fill('jdoe');
    await panel.getByLabel('Sample duration (days)', exact).fill(String(duration));
    await panel.getByLabel('Region', exact).selectOption(region);
    await panel.getByRole('button', { name: 'Show approvers', ...exact }).click();
    const plan = panel.getByRole('region', { name: 'Approval plan', ...exact });
    await expectText(plan.getByRole('definition').first(), 'Jane Doe <jdoe@example.test>', 'the planned requester');
    return plan.getByTestId('plan-group').allInnerTexts();
  }

  run.step('administrator connects the directory', async () => {
    const admin = await run.page('admin');
    await connectServices(admin, run.env);
  });

  run.step('administrator builds a nested rule', async () => {
    const admin = await run.page('admin');
    await followNavLink(admin, 'Asset definitions');
    await admin.getByRole('link', { name: 'New asset definition', ...exact }).click();
    await admin.getByRole('heading', { name: 'New asset definition', ...exact }).waitFor();
    await admin.getByLabel('Name', exact).fill(assetName);
    await admin.getByLabel('Category', exact).fill('Reporting');
    await admin.getByLabel('Group DNs', exact).fill(run.groupDn);

    await admin.getByRole('button', { name: 'Add attribute', ...exact }).click();
    await admin.getByLabel('Key', exact).fill('region');
    await admin.getByLabel('Label', exact).fill('Region');
    await admin.getByLabel('Kind', exact).selectOption({ label: 'Select' });
    await admin.getByLabel('Choices', exact).fill('eu\nus');

    await admin.getByRole('button', { name: 'Add rule', ...exact }).click();
    const rule = admin.getByTestId('approval-rule');
    await rule.getByLabel('Rule name', exact).fill(ruleName);
    await rule.getByLabel('Rule approvers', exact).fill('cwhitmore');
    await rule.getByLabel('Rule quorum', exact).fill('1');
    await rule.getByLabel('Stage', exact).selectOption({ label: 'Stage 2' });

    // The new rule is an AND group with one condition; the first one tests the duration.
    const root = node(admin, 'when');
    assert.equal(await toolbar(root).getByLabel('Group type', exact).inputValue(), '0', 'the rule starts as AND');
    const duration = node(admin, 'when.and[0]');
    await duration.getByLabel('Field', exact).selectOption('duration_days');
    await duration.getByLabel('Comparison', exact).selectOption({ label: 'greater than (>)' });

    // A group added to the AND group becomes NOT, holding one condition on the attribute
    // added above in the same form.
    await toolbar(root).getByRole('button', { name: 'Add group', ...exact }).click();
    const inner = node(admin, 'when.and[1]');
    await toolbar(inner).getByLabel('Group type', exact).selectOption({ label: 'NOT: not this' });
    const addButtons = await toolbar(inner).getByRole('button', { name: 'Add condition', ...exact }).count();
    assert.equal(addButtons, 0, 'a NOT group with its one condition offers no Add condition');
    const region = node(admin, 'when.and[1].not');
    await region.getByLabel('Field', exact).selectOption('attr.region');
    await region.getByLabel('Comparison', exact).selectOption({ label: 'equals (=)' });
    await region.getByLabel('Value', exact).selectOption('us');
  });

  run.step('check marks the empty value at its node', async () => {
    const admin = await run.page('admin');
    const panel = admin.getByRole('complementary', { name: 'Who would approve', ...exact });
    await panel.getByLabel('Sample requester', exact).fill('jdoe');
    await panel.getByRole('button', { name: 'Show approvers', ...exact }).click();
    await expectText(panel.getByRole('status'), 'Correct the approval fields marked in the form first.', 'the preview');

    const duration = node(admin, 'when.and[0]');
    await expectText(duration.locator('.field-error'), 'must be a number', 'the error at the duration node');
    assert.equal(await node(admin, 'when.and[1].not').locator('.field-error').count(), 0, 'the NOT child has no error');
    await duration.getByLabel('Value', exact).fill('30');
  });

  run.step('preview lists the rule approver only when it applies', async () => {
    const admin = await run.page('admin');
    const both = await preview(admin, { duration: 45, region: 'eu' });
    assert.equal(both.length, 2, `a long order in the EU has two groups: ${JSON.stringify(both)}`);
    assert.match(both[0], /Stage 1\s+Manager/, 'the manager group comes first');
    assert.ok(both[0].includes(MANAGER), `the manager approves: ${both[0]}`);
    assert.match(both[1], new RegExp(`Stage 2\\s+${ruleName}`), 'the rule group follows in stage 2');
    assert.ok(both[1].includes(CEO), `the rule approver approves: ${both[1]}`);
    assert.ok(both[1].includes('1 of 1 must approve'), `the rule quorum: ${both[1]}`);

    const inUs = await preview(admin, { duration: 45, region: 'us' });
    assert.equal(inUs.length, 1, `the NOT group stops the rule in the US: ${JSON.stringify(inUs)}`);
    assert.ok(inUs[0].includes(MANAGER), `only the manager approves: ${inUs[0]}`);

    const short = await preview(admin, { duration: 10, region: 'eu' });
    assert.equal(short.length, 1, `the duration stops the rule: ${JSON.stringify(short)}`);
  });

  run.step('saved definition reopens with the same tree', async () => {
    const admin = await run.page('admin');
    await admin.getByRole('button', { name: 'Save asset definition', ...exact }).click();
    await admin.getByRole('heading', { name: 'Asset definitions', ...exact }).waitFor();
    const row = admin.getByRole('row').filter({ has: admin.getByRole('link', { name: assetName, ...exact }) });
    await expectText(row.getByRole('cell').nth(2), "Requester's manager, 1 rule", 'the approval column');

    await row.getByRole('link', { name: assetName, ...exact }).click();
    await admin.getByRole('heading', { name: 'Edit asset definition', ...exact }).waitFor();
    const inner = node(admin, 'when.and[1]');
    await inner.waitFor();
    const groupType = toolbar(inner).getByLabel('Group type', exact);
    assert.equal(await groupType.locator('option:checked').innerText(), 'NOT: not this', 'the inner group');
    const region = node(admin, 'when.and[1].not');
    assert.equal(await region.getByLabel('Field', exact).inputValue(), 'attr.region', 'the NOT condition field');
    assert.equal(await region.getByLabel('Value', exact).inputValue(), 'us', 'the NOT condition value');
    const duration = node(admin, 'when.and[0]');
    assert.equal(await duration.getByLabel('Value', exact).inputValue(), '30', 'the duration value');

    await admin.getByRole('button', { name: 'Compare with past orders', ...exact }).click();
    const replay = admin.getByRole('region', { name: 'Compare with past orders', ...exact });
    await expectText(replay.locator('dd').nth(1), '0', 'the orders compared for a new definition');
    await expectText(replay, /No order would be routed differently\./, 'the replay of a definition without orders');
  });
});
