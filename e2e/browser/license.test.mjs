// The License page in one Chromium. The first administrator sees the evaluation, uploads a
// license signed with a test key (which the debug server trusts through
// IPSOLIS_LICENSE_TEST_KEYS) and reads its status, sees a tampered file rejected, then uploads
// a license that expired three days ago and gets the amber grace period banner on every
// page, and finally removes the upload after confirming.
//
//   cd e2e && node --test browser/license.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs. The licenses are
// made with `ipsolis license keygen` and `ipsolis license sign` of the same debug build.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';

import { expectText } from './lib/checks.mjs';
import { createFirstAdmin, followNavLink } from './lib/flows.mjs';
import { TestRun } from './lib/run.mjs';
import { BINARY } from './lib/server.mjs';

const exact = { exact: true };
const KEY_ID = 'e2e-key';
const LICENSEE = 'E2E Example Ltd';

let workDir = null;
let keyFile = null;

// Makes the test key pair and returns the IPSOLIS_LICENSE_TEST_KEYS value that trusts it.
function makeTestKey() {
  workDir = mkdtempSync(join(tmpdir(), 'ipsolis-e2e-license-'));
  keyFile = join(workDir, 'key.json');
  const printed = execFileSync(BINARY, ['license', 'keygen', '--key-id', KEY_ID, '--out', keyFile], {
    encoding: 'utf8',
  });
  return `${KEY_ID}=${JSON.parse(printed).public_key}`;
}

// Returns the date DAYS from today (UTC) as YYYY-MM-DD.
function day(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

// Signs a license for LICENSEE with a band of 50 that expires DAYS from today, and returns
// the license id and the file's text.
function signLicense(days) {
  const licenseId = `LIC-E2E-${Date.now()}-${days}`;
  const payload = {
    license_id: licenseId,
    licensee: LICENSEE,
    max_active_users: 50,
    issued_on: day(-30),
    expires_on: day(days),
  };
  const payloadFile = join(workDir, `${licenseId}.json`);
  writeFileSync(payloadFile, JSON.stringify(payload));
  const text = execFileSync(BINARY, ['license', 'sign', '--key', keyFile, payloadFile], { encoding: 'utf8' });
  return { licenseId, text };
}

function section(page, name) {
  return page.getByRole('region', { name, ...exact });
}

// Returns the cell beside the row header TERM in the license status table.
function statusCell(page, term) {
  const table = page.getByRole('table', { name: 'License status', ...exact });
  const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: term, ...exact }) });
  return row.getByRole('cell');
}

async function uploadFile(page, name, text) {
  const form = section(page, 'Upload a license');
  await form.getByLabel('License file', exact).setInputFiles({
    name,
    mimeType: 'application/json',
    buffer: Buffer.from(text),
  });
  await form.getByText(`Read ${name}.`, exact).waitFor();
  await form.getByRole('button', { name: 'Upload license', ...exact }).click();
  return form;
}

function licenseBanner(page) {
  return page.getByRole('status', { name: 'License', ...exact });
}

describe('License page', () => {
  // The server reads this object when the run starts, after the key exists.
  const serverEnv = {};
  const run = new TestRun('license', { serverEnv });
  before(() => {
    serverEnv.IPSOLIS_LICENSE_TEST_KEYS = makeTestKey();
  });
  run.hooks();
  after(() => {
    if (workDir) {
      rmSync(workDir, { recursive: true, force: true });
    }
  });

  run.step('a new installation is in its evaluation', async () => {
    const page = await run.page('admin');
    await createFirstAdmin(page);
    await followNavLink(page, 'License');
    await page.getByRole('heading', { name: 'License', ...exact }).waitFor();
    await expectText(statusCell(page, 'State'), 'Evaluation', 'the state');
    await expectText(statusCell(page, 'Days left'), '30 days', 'the days left');
    assert.equal(await licenseBanner(page).count(), 0, 'no banner in the first days');
    const meanings = page.getByRole('table', { name: 'License states', ...exact }).getByRole('rowheader');
    assert.deepEqual(
      (await meanings.allTextContents()).map((text) => text.trim()),
      ['Evaluation', 'Free tier', 'Over the free tier', 'Licensed', 'Over the licensed band', 'Grace period', 'Unlicensed'],
      'every state is explained',
    );
  });

  run.step('administrator uploads a signed license', async () => {
    const page = await run.page('admin');
    const { licenseId, text } = signLicense(365);
    const form = await uploadFile(page, 'license.json', text);
    await expectText(form.getByRole('status'), `License ${licenseId} for ${LICENSEE} was uploaded.`, 'the upload');
    await expectText(statusCell(page, 'State'), 'Licensed', 'the state');
    await expectText(statusCell(page, 'Licensee'), LICENSEE, 'the licensee');
    await expectText(statusCell(page, 'License ID'), licenseId, 'the license id');
    await expectText(statusCell(page, 'Source'), 'Uploaded', 'the source');
    await expectText(statusCell(page, 'Active users'), '0 of 50', 'the band');
    assert.equal(await licenseBanner(page).count(), 0, 'no banner while licensed');
  });

  run.step('a tampered license is rejected', async () => {
    const page = await run.page('admin');
    const envelope = JSON.parse(signLicense(365).text);
    const payload = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    payload.max_active_users = 5000;
    envelope.payload = Buffer.from(JSON.stringify(payload)).toString('base64');
    const form = await uploadFile(page, 'tampered.json', JSON.stringify(envelope));
    await expectText(form.getByRole('alert').locator('strong'), 'Invalid license signature', 'the rejection');
    await expectText(statusCell(page, 'Active users'), '0 of 50', 'the band of the earlier license');
  });

  run.step('an expired license shows the amber grace banner', async () => {
    const page = await run.page('admin');
    const { licenseId, text } = signLicense(-3);
    const form = await uploadFile(page, 'expired.json', text);
    await expectText(
      form.getByRole('status'),
      `License ${licenseId} for ${LICENSEE} was uploaded, but it has already expired: Grace period.`,
      'the upload of an expired license',
    );
    await expectText(statusCell(page, 'State'), 'Grace period', 'the state');
    await expectText(statusCell(page, 'Days left'), /^2[78] days$/, 'the days of grace left');
    const banner = licenseBanner(page);
    await expectText(banner, /^The license expired at .* The grace period ends at .*Open the License page$/s, 'the banner');
    assert.match(await banner.getAttribute('class'), /warning-banner/, 'the banner is amber');

    // The banner stays on the other pages.
    await followNavLink(page, 'Dashboard');
    await expectText(licenseBanner(page), /^The license expired at /, 'the banner on the dashboard');
  });

  run.step('administrator removes the uploaded license', async () => {
    const page = await run.page('admin');
    await licenseBanner(page).getByRole('link', { name: 'Open the License page', ...exact }).click();
    const removal = section(page, 'Uploaded license');
    await removal.getByRole('button', { name: 'Remove license', ...exact }).click();
    await removal.getByText(/^Remove the uploaded license\?/).waitFor();
    await removal.getByRole('button', { name: 'Remove', ...exact }).click();
    await expectText(statusCell(page, 'State'), 'Evaluation', 'the state without a license');
    await removal.waitFor({ state: 'detached' });
    assert.equal(await licenseBanner(page).count(), 0, 'the banner is gone');
  });
});
