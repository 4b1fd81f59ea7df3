// General settings and the setup checklist in one Chromium. The first administrator finds
// every checklist item open and follows each item's link to its page. They set the
// application title and upload a logo (after an SVG file named logo.png is rejected), and
// see both in the navigation, in the browser tab, and on the admin and portal sign-in pages.
// They test the portal sign-in connection, then finish the setup: the checklist folds into
// one line, and comes back when the mail server stops responding.
//
//   cd e2e && node --test browser/settings_general.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs.
import assert from 'node:assert/strict';
import { after, describe } from 'node:test';
import { createServer } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';

import { adminRequest } from './lib/admin_api.mjs';
import { APP_URL } from './lib/config.mjs';
import { expectText, waitUntil } from './lib/checks.mjs';
import {
  ADMIN,
  configureDirectory,
  configureMail,
  configurePortalSignIn,
  createFirstAdmin,
  followNavLink,
  signInToAdmin,
  signOutOfAdmin,
} from './lib/flows.mjs';
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };
const TITLE = 'Contoso IT Access';
const LOGO_NAME = `${TITLE} logo`;

// The checklist items in order, with the heading of the page each one links to.
const ITEMS = [
  { title: 'Application title and logo', page: 'General' },
  { title: 'Mail server', page: 'E-mail (SMTP)' },
  { title: 'Directory (LDAP)', page: 'Directory (LDAP)' },
  { title: 'Portal sign-in (OpenID Connect)', page: 'Portal sign-in (OpenID Connect)' },
  { title: 'An asset definition', page: 'New asset definition' },
  { title: 'Instances in the pool', page: 'Pool' },
  { title: 'A Teams or Slack channel', page: 'Microsoft Teams' },
  { title: 'Audit forwarding to a SIEM', page: 'SIEM forwarding' },
  { title: 'An API token', page: 'API tokens' },
];

// Returns a PNG file of WIDTH × HEIGHT pixels in one RGBA colour.
function pngImage(width, height, [r, g, b, a]) {
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  // Each row starts with filter type 0 (none), followed by its pixels.
  const row = Buffer.alloc(1 + width * 4);
  for (let x = 0; x < width; x += 1) {
    row.set([r, g, b, a], 1 + x * 4);
  }
  const pixels = Buffer.concat(Array(height).fill(row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Starts a syslog receiver on 127.0.0.1 that collects the messages of octet-counted frames
// (RFC 6587). Returns its endpoint, the collected messages and a close function.
async function startSyslogReceiver() {
  const messages = [];
  const server = createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.on('data', (data) => {
      buffered = Buffer.concat([buffered, data]);
      for (;;) {
        const space = buffered.indexOf(0x20);
        if (space < 0) break;
        const length = Number(buffered.subarray(0, space).toString('ascii'));
        if (buffered.length < space + 1 + length) break;
        messages.push(buffered.subarray(space + 1, space + 1 + length).toString('utf8'));
        buffered = buffered.subarray(space + 1 + length);
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `tcp://127.0.0.1:${server.address().port}`,
    messages,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

function section(page, name) {
  return page.getByRole('region', { name, ...exact });
}

function checklistSection(page) {
  return section(page, 'Setup checklist');
}

// Returns the list item of the checklist item TITLE.
function checklistItem(page, title) {
  return checklistSection(page)
    .getByRole('listitem')
    .filter({ has: page.getByText(title, exact) });
}

async function openDashboard(page) {
  await followNavLink(page, 'Dashboard');
  await page.getByRole('heading', { name: 'Dashboard', ...exact }).waitFor();
  await checklistSection(page).locator('.checklist-summary').waitFor();
}

// Returns the status word the checklist shows for TITLE.
async function itemStatus(page, title) {
  return (await checklistItem(page, title).locator('.item-status').innerText()).trim();
}

// Reloads the dashboard until the checklist shows STATUS for TITLE.
async function waitForItemStatus(page, title, status) {
  return waitUntil(`the checklist to show ${title} as ${status}`, async (state) => {
    await page.goto(`${APP_URL}/ui/`);
    await checklistSection(page).locator('.checklist-summary').waitFor();
    const shown = await itemStatus(page, title);
    state.detail = shown;
    return shown === status ? shown : undefined;
  });
}

// Checks that the logo with LOGO_NAME in SCOPE has loaded as an image.
async function expectLogoLoaded(scope, description) {
  const logo = scope.getByRole('img', { name: LOGO_NAME, ...exact });
  await logo.waitFor();
  const width = await waitUntil(`${description}: the logo to load`, async (state) => {
    const natural = await logo.evaluate((image) => (image.complete ? image.naturalWidth : 0));
    state.detail = `naturalWidth ${natural}`;
    return natural > 0 ? natural : undefined;
  });
  assert.equal(width, 64, `${description}: the uploaded 64-pixel-wide logo`);
}

describe('General settings and the setup checklist', () => {
  const run = new TestRun('settings-general');
  run.hooks();
  let receiver;
  after(() => receiver?.close());

  run.step('fresh installation lists every item as open', async () => {
    const page = await run.page('admin');
    await createFirstAdmin(page);
    await openDashboard(page);
    const checklist = checklistSection(page);
    await expectText(checklist.locator('.checklist-summary p'), /^0 of 9 done: 6 essential items open\.$/, 'the summary');
    const items = checklist.getByRole('list').getByRole('listitem');
    assert.equal(await items.count(), ITEMS.length, 'one list item per checklist item');
    for (const { title } of ITEMS) {
      assert.equal(await itemStatus(page, title), 'To do', `${title} is open`);
    }
    await expectText(
      checklistItem(page, 'Application title and logo').locator('.item-detail'),
      'Set the application title and upload a logo.',
      'the title item detail',
    );
  });

  run.step('each checklist link opens the page that fixes it', async () => {
    const page = await run.page('admin');
    for (const { title, page: heading } of ITEMS) {
      await openDashboard(page);
      const link = checklistItem(page, title).getByRole('link', { name: `Set up: ${title}`, ...exact });
      const href = await link.getAttribute('href');
      await link.click();
      await page.waitForURL((url) => `${url.pathname}${url.hash}` === href);
      await page.getByRole('heading', { name: heading, ...exact }).waitFor();
      // A settings section is scrolled into view, and stays there while the sections above
      // it load.
      if (href.includes('#')) {
        const target = page.getByRole('heading', { name: heading, ...exact });
        await waitUntil(`${heading} to be in view for ${href}`, async (state) => {
          const top = await target.evaluate((element) => element.getBoundingClientRect().top);
          state.detail = `top ${top}`;
          return top >= 0 && top < (await page.evaluate(() => window.innerHeight)) ? true : undefined;
        });
      }
    }
  });

  run.step('admin sets the title and uploads a logo', async () => {
    const page = await run.page('admin');
    await followNavLink(page, 'Settings');
    const general = section(page, 'General');
    await general.getByLabel('Application title', exact).fill('   ');
    await general.getByRole('button', { name: 'Save general settings', ...exact }).click();
    await expectText(general.locator('.field-error'), /^is required/, 'the empty title error');

    await general.getByLabel('Application title', exact).fill(TITLE);
    await general.getByRole('button', { name: 'Save general settings', ...exact }).click();
    await expectText(general.getByRole('status'), 'Saved', 'the save result');
    const nav = page.getByRole('navigation', { name: 'Main', ...exact });
    await nav.getByText(TITLE, exact).waitFor();
    await waitUntil('the browser tab to show the title', async (state) => {
      state.detail = await page.title();
      return state.detail === TITLE ? true : undefined;
    });

    // An SVG image renamed to logo.png is rejected by its content, not its name.
    const fileInput = general.getByLabel('Logo file', exact);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    await fileInput.setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: svg });
    await general.getByRole('button', { name: 'Upload logo', ...exact }).click();
    await expectText(general.locator('.field-error'), /^is an SVG image/, 'the SVG rejection');
    assert.equal(await nav.getByRole('img').count(), 0, 'no logo after the rejected file');

    const logo = pngImage(64, 32, [31, 95, 174, 255]);
    await fileInput.setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: logo });
    await general.getByRole('button', { name: 'Upload logo', ...exact }).click();
    await expectText(general.getByRole('status'), 'Logo uploaded', 'the upload result');
    await general.getByRole('img', { name: 'Current logo', ...exact }).waitFor();
    await expectLogoLoaded(nav, 'the navigation');
  });

  run.step('sign-in pages show the title and logo', async () => {
    const page = await run.page('admin');
    await signOutOfAdmin(page);
    const signIn = page.getByRole('main');
    await signIn.getByText(TITLE, exact).waitFor();
    await expectLogoLoaded(signIn, 'the admin sign-in page');
    assert.equal(await page.title(), TITLE, 'the sign-in page tab');

    const visitor = await run.page('visitor');
    await visitor.goto(`${APP_URL}/portal/`);
    const banner = visitor.getByRole('banner');
    await banner.getByText(TITLE, exact).waitFor();
    await expectLogoLoaded(banner, 'the portal sign-in page');
    await waitUntil('the portal tab to show the title', async (state) => {
      state.detail = await visitor.title();
      return state.detail === TITLE ? true : undefined;
    });

    // Hidden on the sign-in pages, the logo stays in the navigation.
    await signInToAdmin(page, ADMIN);
    await followNavLink(page, 'Settings');
    const general = section(page, 'General');
    await general
      .getByLabel('Logo position', exact)
      .selectOption({ label: 'Left of the title, not on the sign-in pages' });
    await general.getByRole('button', { name: 'Save general settings', ...exact }).click();
    await expectText(general.getByRole('status'), 'Saved', 'the position save result');
    await expectLogoLoaded(page.getByRole('navigation', { name: 'Main', ...exact }), 'the navigation');
    await visitor.reload();
    await banner.getByText(TITLE, exact).waitFor();
    assert.equal(await banner.getByRole('img').count(), 0, 'no logo on the portal sign-in page');
  });

  run.step('admin tests portal sign-in and finishes the setup', async () => {
    const page = await run.page('admin');
    await waitForItemStatus(page, 'Application title and logo', 'Done');
    await configureDirectory(page, run.env);
    await configureMail(page, run.env);
    await configurePortalSignIn(page, run.env);

    const signIn = section(page, 'Portal sign-in (OpenID Connect)');
    await signIn.getByRole('button', { name: 'Test sign-in connection', ...exact }).click();
    await expectText(signIn.getByRole('status'), /^Found the provider /, 'the sign-in test result');
    await signIn.getByLabel('Client secret', exact).fill('not-the-client-secret');
    await signIn.getByRole('button', { name: 'Test sign-in connection', ...exact }).click();
    await expectText(signIn.getByRole('status'), /invalid_client/, 'the wrong secret result');
    await signIn.getByLabel('Client secret', exact).fill('');

    await adminRequest(page, 'POST', '/api/v1/asset-definitions', {
      name: 'Finance application',
      category: 'Finance',
      strategy: 'group_access',
      group_dns: [run.groupDn],
      approval: { manager: {} },
      default_duration_days: 30,
      max_duration_days: 90,
      justification: 'required',
    });
    await adminRequest(page, 'PUT', '/api/v1/settings/teams', {
      enabled: true,
      webhook_url: 'https://hooks.example.test/teams',
    });
    await adminRequest(page, 'POST', '/api/v1/tokens', {
      name: 'e2e-inventory',
      scopes: ['orders:read'],
      expires_in_days: 30,
    });

    // Audit forwarding to a syslog receiver, set up and tested in the SIEM section. The
    // receiver stays up to the end, since the checklist checks it on every load.
    receiver = await startSyslogReceiver();
    const siem = section(page, 'SIEM forwarding');
    await siem.getByLabel('Format', exact).selectOption({ label: 'Syslog over TCP (RFC 5424)' });
    await siem.getByLabel('Endpoint', exact).fill('udp://127.0.0.1:514');
    await siem.getByLabel('Forward audit events to the SIEM', exact).check();
    await siem.getByRole('button', { name: 'Save SIEM settings', ...exact }).click();
    await expectText(siem.locator('.field-error'), /^must be tcp:\/\/host:port/, 'the endpoint error');
    await siem.getByLabel('Endpoint', exact).fill(receiver.endpoint);
    await siem.getByRole('button', { name: 'Save SIEM settings', ...exact }).click();
    await expectText(siem.getByRole('status'), 'Saved', 'the SIEM save result');
    await siem.getByRole('button', { name: 'Send test event', ...exact }).click();
    await expectText(siem.getByRole('status'), /^Sent a test event with the action siem\.test/, 'the SIEM test result');
    await waitUntil('the receiver to get the change and the test event', async (state) => {
      state.detail = receiver.messages.map((message) => message.split(' ')[5]).join(', ');
      const actions = receiver.messages.map((message) => message.split(' ')[5]);
      return actions.includes('siem.test') && actions.includes('settings.update') ? true : undefined;
    });
    const change = receiver.messages.find((message) => message.includes(' settings.update - '));
    assert.match(change, /^<109>1 \S+ 127\.0\.0\.1 ipsolis - settings\.update - \{/, 'an RFC 5424 header');

    await openDashboard(page);
    const checklist = checklistSection(page);
    await expectText(
      checklist.locator('.checklist-summary p'),
      'Setup is complete: all 9 checklist items are done.',
      'the summary of a finished setup',
    );
    const toggle = checklist.getByRole('button', { name: 'Show checklist', ...exact });
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false', 'the list starts folded');
    assert.equal(await checklist.getByRole('listitem').count(), 0, 'the folded list is hidden');
    await toggle.click();
    assert.equal(await checklist.getByRole('listitem').count(), ITEMS.length, 'the list unfolds');
    const hide = checklist.getByRole('button', { name: 'Hide checklist', ...exact });
    assert.equal(await hide.getAttribute('aria-expanded'), 'true');
  });

  run.step('checklist returns when the mail server breaks', async () => {
    const page = await run.page('admin');
    await adminRequest(page, 'PUT', '/api/v1/settings/smtp', {
      host: '127.0.0.1',
      port: 1,
      tls: 'none',
      from: 'ip·Solis <ipsolis-e2e@example.test>',
    });
    await waitForItemStatus(page, 'Mail server', 'Broken');
    const item = checklistItem(page, 'Mail server');
    await expectText(item.locator('.item-detail'), /127\.0\.0\.1:1/, 'the failure reason');
    await expectText(
      checklistSection(page).locator('.checklist-summary p'),
      '8 of 9 done: 1 essential item open, 1 broken.',
      'the summary with a broken item',
    );
    await item.getByRole('link', { name: 'Fix: Mail server', ...exact }).click();
    await page.waitForURL((url) => url.pathname === '/ui/settings' && url.hash === '#smtp-heading');
    await section(page, 'E-mail (SMTP)').getByLabel('SMTP port', exact).waitFor();
  });
});
