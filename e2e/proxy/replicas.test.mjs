// Two server replicas of one installation behind Debian's nginx, configured with
// nginx/nginx.conf and a self-signed certificate, with round-robin and no sticky sessions.
// The whole order path runs through the proxy, whichever replica serves each request. Then the
// scheduler's leader is killed, and the other replica must take over with no periodic task run
// twice.
//
//   cd e2e && E2E_APP_URL=https://127.0.0.1:18443 node --test proxy/replicas.test.mjs
//
// Needs the test services with https://127.0.0.1:18443/api/v1/portal/auth/callback among the
// OIDC redirect URIs (e2e/test.sh registers it), nginx and openssl, and the builds the browser
// tests use. The replicas listen on E2E_APP_PORT and the port after it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { promisify } from 'node:util';
import { describe } from 'node:test';

import { APP_URL } from '../browser/lib/config.mjs';
import { expectText, fact, reloadUntilFact } from '../browser/lib/checks.mjs';
import { JANE, MANAGER_EMAIL, placeOrder, setUpInstallation, signInToPortal } from '../browser/lib/flows.mjs';
import { sameDn } from '../browser/lib/ldap.mjs';
import { linkAfterLabel, waitForMail } from '../browser/lib/mail.mjs';
import { TestRun } from '../browser/lib/run.mjs';

const exact = { exact: true };
const execFileAsync = promisify(execFile);
// Generous, because the benchmark reports the figure itself. This limit only catches a takeover
// that never happens.
const FAILOVER_LIMIT_MS = 20_000;

// Sends GET PATH through nginx over HTTPS, trusting only the test's own certificate.
function httpsGet(run, path) {
  const url = new URL(path, APP_URL);
  const ca = readFileSync(join(run.nginx.dir, 'cert.pem'));
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, method: 'GET' }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

// Opens a TLS connection limited to VERSION and returns the protocol the server agreed on.
function tlsHandshake(run, version) {
  const ca = readFileSync(join(run.nginx.dir, 'cert.pem'));
  const port = Number(new URL(APP_URL).port);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, minVersion: version, maxVersion: version }, () => {
      const protocol = socket.getProtocol();
      socket.end();
      resolve(protocol);
    });
    socket.on('error', reject);
  });
}

async function schedulerRole(server) {
  try {
    const response = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(1_000) });
    const health = await response.json();
    return health.checks.scheduler.detail ?? null;
  } catch {
    return null;
  }
}

async function sql(run, statement) {
  const { stdout } = await execFileAsync('psql', [run.databaseUrl, '-v', 'ON_ERROR_STOP=1', '-Atc', statement]);
  return stdout.trim();
}

describe('two replicas behind nginx', () => {
  // The expiry check runs every second (the browser tests' default), so the slots before and
  // after the failover can be counted.
  const run = new TestRun('replicas', { replicas: 2 });
  run.hooks();

  const assetName = `Remote desktop ${randomBytes(4).toString('hex')}`;
  let orderUrl;
  let approvalMail;

  run.step('nginx terminates TLS 1.2 and 1.3 and moves plain HTTP to HTTPS', async () => {
    const health = await httpsGet(run, '/health');
    assert.equal(health.status, 200, `GET /health through nginx: ${health.body}`);
    assert.equal(JSON.parse(health.body).checks.database.status, 'ok');
    assert.equal(health.headers['strict-transport-security'], 'max-age=31536000');
    // Sent once, by nginx, although the server sets it as well.
    assert.equal(health.headers['x-frame-options'], 'DENY');
    assert.equal(health.headers['x-content-type-options'], 'nosniff');
    assert.equal(health.headers.server, 'nginx', 'nginx hides its version');

    assert.equal(await tlsHandshake(run, 'TLSv1.2'), 'TLSv1.2');
    assert.equal(await tlsHandshake(run, 'TLSv1.3'), 'TLSv1.3');

    const httpPort = run.nginx.httpPort;
    const plain = await fetch(`http://127.0.0.1:${httpPort}/ui/orders?state=active`, { redirect: 'manual' });
    assert.equal(plain.status, 301);
    assert.equal(plain.headers.get('location'), `${APP_URL}/ui/orders?state=active`);
  });

  run.step('administrator signs in and sets up the installation through nginx', async () => {
    const admin = await run.page('admin');
    await setUpInstallation(admin, run.env, { assetName, groupDn: run.groupDn });
  });

  run.step('employee signs in to the portal and orders', async () => {
    const employee = await run.page('employee');
    await signInToPortal(employee, run.env, JANE);
    orderUrl = await placeOrder(employee, {
      assetName,
      days: 7,
      justification: 'Covering the service desk while a colleague is away.',
    });
    await expectText(fact(employee, 'State'), 'Waiting for approval', 'the new order state');
    approvalMail = await waitForMail(run.env.MAIL_API, {
      to: MANAGER_EMAIL,
      subject: `Approval needed: ${assetName} for ${JANE.displayName}`,
    });
  });

  run.step('manager approves through the e-mailed link', async () => {
    const link = linkAfterLabel(approvalMail.text, 'Approve');
    assert.ok(link.startsWith(`${APP_URL}/portal/decide#`), `the link goes through nginx: ${link}`);
    const approver = await run.page('approver');
    await approver.goto(link);
    await approver.getByRole('button', { name: 'Approve', ...exact }).click();
    await expectText(approver.getByRole('status'), /^Approved — the order is now /, 'the decision result');

    const employee = await run.page('employee');
    await employee.goto(orderUrl);
    await reloadUntilFact(employee, 'State', 'Active', 'the approved order');
    const members = await run.directory.members(run.groupDn);
    assert.ok(members.some((dn) => sameDn(dn, JANE.dn)), `${JANE.dn} is in ${run.groupDn}`);
  });

  run.step('uploads land whichever replica answers', async () => {
    // A 1 × 1 PNG; a marker after its end makes each upload's bytes differ.
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
    const admin = await run.page('admin');
    const uploaded = await admin.evaluate(async (base64) => {
      const session = await (await fetch('/api/v1/auth/session')).json();
      const statuses = [];
      let last = null;
      // Uploads in a row alternate between the replicas under round-robin.
      for (let i = 1; i <= 6; i += 1) {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const marker = new TextEncoder().encode(`upload-${i}`);
        const body = new Uint8Array([...bytes, ...marker]);
        const response = await fetch('/api/v1/settings/general/logo', {
          method: 'PUT',
          headers: { 'Content-Type': 'image/png', 'X-CSRF-Token': session.csrf_token },
          body,
        });
        statuses.push(response.status);
        last = `upload-${i}`;
      }
      return { statuses, last };
    }, png);
    assert.deepEqual(uploaded.statuses, [200, 200, 200, 200, 200, 200], 'every upload was accepted');

    const puts = run.nginx
      .requests()
      .filter((entry) => entry.upstream && entry.request.startsWith('PUT /api/v1/settings/general/logo'));
    const upstreams = new Set(puts.map((entry) => entry.upstream));
    assert.equal(upstreams.size, 2, `uploads went to both replicas: ${[...upstreams].join(', ')}`);

    // Each replica, asked directly, serves the last upload.
    for (const server of run.servers) {
      const response = await fetch(`http://127.0.0.1:${server.port}/api/v1/branding/logo`);
      assert.equal(response.status, 200, `the logo from the replica on port ${server.port}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      assert.ok(bytes.toString('latin1').endsWith(uploaded.last), `port ${server.port} serves ${uploaded.last}`);
    }
  });

  run.step('both replicas answered, reads and writes alike', async () => {
    const requests = run.nginx.requests().filter((entry) => entry.upstream);
    const upstreams = (filter) => new Set(requests.filter(filter).map((entry) => entry.upstream));
    const expected = run.servers.map((server) => `127.0.0.1:${server.port}`);
    const all = upstreams(() => true);
    const writes = upstreams((entry) => /^(POST|PUT|DELETE) \/api\//.test(entry.request));
    for (const address of expected) {
      assert.ok(all.has(address), `the replica at ${address} answered requests: ${[...all].join(', ')}`);
      assert.ok(writes.has(address), `the replica at ${address} answered writes: ${[...writes].join(', ')}`);
    }
    const failed = requests.filter((entry) => entry.status >= 500);
    assert.deepEqual(failed, [], 'no request through nginx failed with a server error');
  });

  run.step('the other replica takes the scheduler over when the leader is killed', async () => {
    let roles = await Promise.all(run.servers.map(schedulerRole));
    const deadline = Date.now() + 10_000;
    while (roles.filter((role) => role === 'leader').length !== 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      roles = await Promise.all(run.servers.map(schedulerRole));
    }
    assert.deepEqual([...roles].sort(), ['follower', 'leader'], 'one leader and one follower');
    const leader = run.servers[roles.indexOf('leader')];
    const follower = run.servers[roles.indexOf('follower')];

    const killedAt = Date.now();
    await leader.kill();
    let takeoverMs = null;
    while (Date.now() - killedAt < FAILOVER_LIMIT_MS) {
      if ((await schedulerRole(follower)) === 'leader') {
        takeoverMs = Date.now() - killedAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(takeoverMs !== null, `the follower became leader within ${FAILOVER_LIMIT_MS} ms`);
    console.log(`scheduler failover: the follower led ${takeoverMs} ms after the leader was killed`);
    writeFileSync(join(run.resultsDir, 'replicas-failover-ms.txt'), `${takeoverMs}\n`);

    // nginx moves on to the live replica.
    for (let i = 0; i < 4; i += 1) {
      const health = await httpsGet(run, '/health');
      assert.equal(health.status, 200, 'GET /health through nginx after the kill');
    }

    // The new leader enqueues the expiry check again: wait for a slot after the takeover.
    const since = new Date(killedAt + takeoverMs).toISOString();
    const slotDeadline = Date.now() + 10_000;
    let later = '0';
    while (later === '0' && Date.now() < slotDeadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      later = await sql(
        run,
        `select count(*) from jobs where kind = 'orders.expiry_check' and (payload->>'slot')::timestamptz > '${since}'`,
      );
    }
    assert.notEqual(later, '0', 'the new leader runs the periodic expiry check');
  });

  run.step('no periodic task ran twice for one slot', async () => {
    const counts = await sql(
      run,
      `select count(*) || ' ' || count(distinct payload->>'slot') from jobs where kind = 'orders.expiry_check'`,
    );
    const [jobs, slots] = counts.split(' ').map(Number);
    assert.ok(jobs > 5, `the expiry check ran every second during the test (${jobs} jobs)`);
    assert.equal(jobs, slots, 'one expiry check job per slot');
  });
});
