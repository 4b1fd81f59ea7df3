// Mail templates and chat channels in one Chromium. The first administrator opens the approval
// request template, gets the field error of an unknown placeholder from Preview, previews a
// corrected text with the HTML in a sandboxed frame, saves it, finds it again after a reload
// and resets it to the built-in text. Then the Microsoft Teams form sends a test message to a
// fake webhook on 127.0.0.1 and saves the URL, which the page never shows again.
//
//   cd e2e && node --test browser/mail_templates.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe } from 'node:test';

import { adminRequest } from './lib/admin_api.mjs';
import { expectText, waitUntil } from './lib/checks.mjs';
import { createFirstAdmin, followNavLink } from './lib/flows.mjs';
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };

const DEFAULT_SUBJECT = 'Approval needed: {{ asset }} for {{ requester_name }}';
const CUSTOM_SUBJECT = 'Please decide: {{ asset }} for {{ requester_name }}';
const CUSTOM_HTML = '<p>Dear {{ approver_name }},</p>\n<blockquote>{{ justification }}</blockquote>';

// Starts an HTTP server on 127.0.0.1 that responds to posts as a Teams incoming webhook does
// (202) and records their JSON bodies.
async function fakeTeamsWebhook() {
  const received = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ path: request.url, body: JSON.parse(body || 'null') });
      response.writeHead(request.method === 'POST' ? 202 : 405);
      response.end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const url = `http://127.0.0.1:${port}/workflows/e2e/triggers/manual/paths/invoke?sig=e2e-secret`;
  return { url, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

function editor(page) {
  return page.getByRole('region', { name: 'Approval e-mails', ...exact });
}

describe('mail templates and chat channels', () => {
  const run = new TestRun('mail_templates');
  run.hooks();

  run.step('first administrator is created', async () => {
    const admin = await run.page('admin');
    await createFirstAdmin(admin);
  });

  run.step('admin sees the default request template and its placeholders', async () => {
    const page = await run.page('admin');
    await followNavLink(page, 'Mail templates');
    await page.getByRole('heading', { name: 'Mail templates', ...exact }).waitFor();
    const form = editor(page);
    const kind = form.getByLabel('Template', exact);
    assert.equal(await kind.locator('option:checked').innerText(), 'Approval request');
    assert.deepEqual(await kind.locator('option').allInnerTexts(), [
      'Approval request',
      'Approval reminder',
      'Escalation notice',
    ]);
    assert.equal(await form.getByLabel('Subject', exact).inputValue(), DEFAULT_SUBJECT);
    await form.getByText('The built-in text is in use.', exact).waitFor();
    const placeholders = page.getByRole('region', { name: 'Placeholders', ...exact });
    await placeholders.getByText('{{ approve_url }}', exact).waitFor();
    await placeholders.getByText('{{ portal_url }}', exact).waitFor();
    assert.equal(
      await form.getByRole('button', { name: 'Reset to default', ...exact }).count(),
      0,
      'the built-in text has nothing to reset',
    );
  });

  run.step('preview names an unknown placeholder next to the field', async () => {
    const page = await run.page('admin');
    const form = editor(page);
    await form.getByLabel('HTML body', exact).fill('<p>Hello</p>\n<p>{{ approver_nmae }}</p>');
    await form.getByRole('button', { name: 'Preview', ...exact }).click();
    const html = form.getByLabel('HTML body', exact);
    await expectText(
      form.locator('.field-error'),
      /unknown placeholder `approver_nmae` on line 2/,
      'the HTML body error',
    );
    assert.equal(await html.getAttribute('aria-invalid'), 'true', 'the HTML body is marked invalid');
    assert.equal(
      await page.getByRole('region', { name: 'Preview with sample values', ...exact }).count(),
      0,
      'no preview of a template with errors',
    );
  });

  run.step('preview renders the corrected template with escaped sample values', async () => {
    const page = await run.page('admin');
    const form = editor(page);
    await form.getByLabel('Subject', exact).fill(CUSTOM_SUBJECT);
    await form.getByLabel('HTML body', exact).fill(CUSTOM_HTML);
    await form.getByRole('button', { name: 'Preview', ...exact }).click();

    const preview = page.getByRole('region', { name: 'Preview with sample values', ...exact });
    await preview.waitFor();
    await preview.getByText('Please decide: Laptop for Jane Doe', exact).waitFor();
    const frame = preview.locator('iframe');
    assert.equal(await frame.getAttribute('sandbox'), '', 'the HTML preview runs with every restriction');
    const body = page.frameLocator('iframe[title="HTML preview"]').locator('body');
    await expectText(body, /Dear Mary Finch,/, 'the greeting in the HTML preview');
    // The sample justification contains markup characters, which show as text.
    await expectText(
      body.locator('blockquote'),
      'Quarter close needs the ledger & the <reports>',
      'the escaped justification',
    );
    assert.equal(await form.locator('.field-error').count(), 0, 'the field errors are gone');
  });

  run.step('admin saves the template and finds it after a reload', async () => {
    const page = await run.page('admin');
    const form = editor(page);
    await form.getByRole('button', { name: 'Save template', ...exact }).click();
    await expectText(form.getByRole('status'), 'Saved', 'the save result');
    await form.getByText(/^Changed by admin:session:e2e-admin:superadmin on /).waitFor();

    // Another template and back: the saved text stays.
    const kind = form.getByLabel('Template', exact);
    await kind.selectOption({ label: 'Escalation notice' });
    await waitUntil('the escalation notice to show', async (state) => {
      state.detail = await form.getByLabel('Subject', exact).inputValue();
      return /^Approval overdue:/.test(state.detail) ? true : undefined;
    });
    await kind.selectOption({ label: 'Approval request' });
    assert.equal(await form.getByLabel('Subject', exact).inputValue(), CUSTOM_SUBJECT);

    await page.reload();
    await editor(page).getByLabel('Subject', exact).waitFor();
    assert.equal(await editor(page).getByLabel('Subject', exact).inputValue(), CUSTOM_SUBJECT);
    assert.equal(await editor(page).getByLabel('HTML body', exact).inputValue(), CUSTOM_HTML);
    const templates = await adminRequest(page, 'GET', '/api/v1/mail-templates');
    assert.equal(templates[0].customized, true, 'the API reports the saved template');
  });

  run.step('admin resets the template to the built-in text', async () => {
    const page = await run.page('admin');
    const form = editor(page);
    await form.getByRole('button', { name: 'Reset to default', ...exact }).click();
    await expectText(form.getByRole('status'), 'Reset to the built-in text', 'the reset result');
    assert.equal(await form.getByLabel('Subject', exact).inputValue(), DEFAULT_SUBJECT);
    await form.getByText('The built-in text is in use.', exact).waitFor();
    const templates = await adminRequest(page, 'GET', '/api/v1/mail-templates');
    assert.equal(templates[0].customized, false, 'the API reports the built-in template');
  });

  run.step('Teams form sends a test message and keeps the URL secret', async () => {
    const teams = await fakeTeamsWebhook();
    try {
      const page = await run.page('admin');
      await followNavLink(page, 'Settings');
      const section = page.getByRole('region', { name: 'Microsoft Teams', ...exact });
      await section.getByLabel('Post approvals to Microsoft Teams', exact).check();
      await section.getByLabel('Teams webhook URL', exact).fill(teams.url);
      await section.getByRole('button', { name: 'Send Teams test message', ...exact }).click();
      await expectText(
        section.getByRole('status'),
        'Microsoft Teams accepted the test message.',
        'the test result',
      );
      assert.equal(teams.received.length, 1, 'one test post');
      const card = teams.received[0].body.attachments[0];
      assert.equal(card.contentType, 'application/vnd.microsoft.card.adaptive');
      assert.equal(card.content.body[0].text, 'ip·Solis test message');

      await section.getByRole('button', { name: 'Save Teams settings', ...exact }).click();
      await expectText(section.getByRole('status'), 'Saved', 'the save result');
      const url = section.getByLabel('Teams webhook URL', exact);
      assert.equal(await url.inputValue(), '', 'the saved URL is not shown');
      assert.equal(await url.getAttribute('placeholder'), 'stored — leave blank to keep');

      await page.reload();
      const reloaded = page.getByRole('region', { name: 'Microsoft Teams', ...exact });
      await reloaded.getByLabel('Post approvals to Microsoft Teams', exact).waitFor();
      assert.equal(await reloaded.getByLabel('Post approvals to Microsoft Teams', exact).isChecked(), true);
      assert.equal(await reloaded.getByLabel('Teams webhook URL', exact).inputValue(), '');
      const settings = await adminRequest(page, 'GET', '/api/v1/settings/teams');
      assert.deepEqual(settings, { enabled: true, webhook_url_set: true });
      assert.ok(!(await page.content()).includes('e2e-secret'), 'the page never shows the URL');
    } finally {
      await teams.close();
    }
  });
});
