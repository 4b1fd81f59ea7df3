// The Maintenance pages in one Chromium. The first administrator takes a backup on the Backups
// page and finds it listed, adds an admin user afterwards, and restores the backup after typing
// its name, which removes that user again. Then the Health page shows every component after
// "Check now".
//
//   cd e2e && node --test browser/maintenance.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs, and the
// PostgreSQL client tools (pg_dump, pg_restore, psql) on PATH.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe } from 'node:test';

import { adminRequest, createAdminUserByApi } from './lib/admin_api.mjs';
import { expectText, waitUntil } from './lib/checks.mjs';
import { createFirstAdmin, followNavLink } from './lib/flows.mjs';
import { TestRun } from './lib/run.mjs';

const exact = { exact: true };
const LATER_USER = { username: 'e2e-added-after-backup', password: 'e2e-added-after-backup-1', role: 'auditor' };

const backupDir = mkdtempSync(join(tmpdir(), 'ipsolis-e2e-backups-'));
after(() => rmSync(backupDir, { recursive: true, force: true }));

function section(page, name) {
  return page.getByRole('region', { name, ...exact });
}

async function usernames(page) {
  const list = await adminRequest(page, 'GET', '/api/v1/admin-users?limit=200');
  return list.items.map((user) => user.username).sort();
}

describe('Maintenance pages', () => {
  const run = new TestRun('maintenance', { serverEnv: { IPSOLIS_BACKUP_DIR: backupDir } });
  run.hooks();
  let backupName = null;

  run.step('first administrator is created', async () => {
    const admin = await run.page('admin');
    await createFirstAdmin(admin);
  });

  run.step('administrator takes a backup and finds it listed', async () => {
    const page = await run.page('admin');
    await followNavLink(page, 'Backups');
    await page.getByRole('heading', { name: 'Backups', ...exact }).waitFor();
    await expectText(section(page, 'Backup files').getByText('The backup folder has no backups.'),
      'The backup folder has no backups.', 'the empty folder');

    await page.getByRole('button', { name: 'Back up now', ...exact }).click();
    const started = await expectText(page.getByRole('status'), /^Backup ipsolis-\S+\.dump started/, 'the start message');
    const match = /Backup (ipsolis-\S+\.dump) started/.exec(started);
    assert.ok(match, `the start message names the file: ${started}`);
    backupName = match[1];

    // The page reloads the runs until the backup is done, then lists the file.
    const files = page.getByRole('table', { name: 'Backup files', ...exact });
    await files.getByRole('row').filter({ hasText: backupName }).waitFor();
    const runs = page.getByRole('table', { name: 'Backup runs', ...exact });
    await expectText(runs.getByRole('row').filter({ hasText: backupName }).getByRole('cell').nth(1), 'Done',
      'the run state');
    const row = files.getByRole('row').filter({ hasText: backupName });
    await expectText(row.getByRole('cell').nth(3), 'e2e-admin', 'who made the backup');
  });

  run.step('administrator restores the backup after typing its name', async () => {
    const page = await run.page('admin');
    await createAdminUserByApi(page, LATER_USER);
    assert.ok((await usernames(page)).includes(LATER_USER.username), 'the later user exists');

    await page.getByRole('button', { name: `Restore ${backupName}`, ...exact }).click();
    const form = section(page, 'Restore a backup');
    const restore = form.getByRole('button', { name: 'Restore database', ...exact });
    const confirmation = form.getByLabel("Type the backup's name to confirm", exact);
    await confirmation.fill('restore');
    assert.equal(await restore.isDisabled(), true, 'the restore waits for the exact name');
    await confirmation.fill(backupName);
    await restore.click();

    await expectText(page.getByRole('status'), `Restored ${backupName}.`, 'the restore result');
    await waitUntil('the later user to be gone', async (state) => {
      const names = await usernames(page);
      state.detail = names.join(', ');
      return names.includes(LATER_USER.username) ? undefined : true;
    });
    const audit = await adminRequest(page, 'GET', '/api/v1/audit?action=backup.restore');
    assert.equal(audit.items.length, 1, 'one audit row for the restore');
    assert.equal(audit.items[0].entity_id, backupName);
  });

  run.step('administrator checks the health of every component', async () => {
    const page = await run.page('admin');
    await followNavLink(page, 'Health');
    await page.getByRole('heading', { name: 'Health', ...exact }).waitFor();
    await page.getByRole('button', { name: 'Check now', ...exact }).click();

    const table = page.getByRole('table', { name: 'Components', ...exact });
    const expected = {
      Database: 'OK',
      Redis: 'OK',
      Scheduler: 'OK',
      'Job queue': 'OK',
      SMTP: 'Not configured',
      LDAP: 'Not configured',
      'OpenID Connect': 'Not configured',
    };
    for (const [component, status] of Object.entries(expected)) {
      const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: component, ...exact }) });
      await expectText(row.getByRole('cell').first(), status, `the status of ${component}`);
    }
    await section(page, 'Scheduler and job queue').getByText('(leader)').waitFor();
    await section(page, 'Alerts').getByLabel('Alert address', exact).waitFor();
  });
});
