// The Metrics section of the admin settings in one Chromium. The first administrator finds
// /metrics on without a token, sets a bearer token that Prometheus (node's fetch) must then
// send, and turns metrics off, which makes /metrics return 404.
//
//   cd e2e && node --test browser/metrics.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';

import { APP_URL } from './lib/config.mjs';
import { expectText } from './lib/checks.mjs';
import { createFirstAdmin, followNavLink } from './lib/flows.mjs';
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };

const TOKEN = randomBytes(32).toString('hex');
const ENABLED_LABEL = 'Serve Prometheus metrics at /metrics';
const SAVE = 'Save metrics settings';

function metricsSection(page) {
  return page.getByRole('region', { name: 'Metrics', ...exact });
}

// Scrapes /metrics as Prometheus would, with TOKEN as the bearer token when given.
async function scrape(token) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  const response = await fetch(`${APP_URL}/metrics`, { headers });
  return { status: response.status, body: await response.text() };
}

async function openMetricsSection(page) {
  await followNavLink(page, 'Settings');
  const section = metricsSection(page);
  await section.getByLabel(ENABLED_LABEL, exact).waitFor();
  return section;
}

describe('metrics settings', () => {
  const run = new TestRun('metrics');
  run.hooks();

  run.step('first administrator is created', async () => {
    const admin = await run.page('admin');
    await createFirstAdmin(admin);
  });

  run.step('metrics are on without a token', async () => {
    const page = await run.page('admin');
    const section = await openMetricsSection(page);
    assert.equal(await section.getByLabel(ENABLED_LABEL, exact).isChecked(), true, 'on by default');
    const token = section.getByLabel('Bearer token', exact);
    assert.equal(await token.inputValue(), '', 'no token is shown');
    assert.equal(await token.getAttribute('placeholder'), null, 'no stored token');

    const open = await scrape();
    assert.equal(open.status, 200, `GET /metrics without a token: ${open.body.slice(0, 200)}`);
    assert.match(open.body, /^ipsolis_http_requests_total\{/m, 'the request counter is served');
  });

  run.step('admin sets a bearer token', async () => {
    const page = await run.page('admin');
    const section = metricsSection(page);
    const save = section.getByRole('button', { name: SAVE, ...exact });

    // The form checks the token before any request.
    await section.getByLabel('Bearer token', exact).fill('too-short');
    await save.click();
    await expectText(section.locator('.field-error'), /must be at least 32 characters long/, 'the token error');

    await section.getByLabel('Bearer token', exact).fill(TOKEN);
    await save.click();
    await section.getByText('Saved', exact).waitFor();
    const token = section.getByLabel('Bearer token', exact);
    assert.equal(await token.inputValue(), '', 'the token is not shown after saving');
    assert.equal(await token.getAttribute('placeholder'), 'stored — leave blank to keep');

    assert.equal((await scrape()).status, 401, 'a scrape without the token is rejected');
    assert.equal((await scrape('x'.repeat(64))).status, 401, 'a wrong token is rejected');
    assert.equal((await scrape(TOKEN)).status, 200, 'the token opens /metrics');

    // The page reloads the settings without the token.
    await page.reload();
    const reloaded = await openMetricsSection(page);
    assert.equal(await reloaded.getByLabel('Bearer token', exact).inputValue(), '');
    assert.equal(await page.content().then((html) => html.includes(TOKEN)), false, 'the token is not in the page');
  });

  run.step('admin turns metrics off', async () => {
    const page = await run.page('admin');
    const section = metricsSection(page);
    await section.getByLabel(ENABLED_LABEL, exact).uncheck();
    await section.getByRole('button', { name: SAVE, ...exact }).click();
    await section.getByText('Saved', exact).waitFor();
    assert.equal((await scrape(TOKEN)).status, 404, '/metrics answers 404 when off');
  });
});
