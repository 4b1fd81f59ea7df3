#!/usr/bin/env node
// Load driver of the benchmark: measures the admin orders list and order creation against a
// running, seeded server, checks in the database that every created order is accounted for,
// and prints the results as markdown tables. e2e/bench/run.sh starts everything it needs;
// run alone, it expects the environment that run.sh sets (see CONFIG below).
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { promisify } from 'node:util';

import { request as playwrightRequest } from 'playwright-core';

const runFile = promisify(execFile);

function numbers(text) {
  return text
    .split(',')
    .map((item) => Number(item.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

const CONFIG = {
  baseUrl: process.env.BENCH_URL || 'http://127.0.0.1:18082',
  serverPid: Number(process.env.BENCH_SERVER_PID || 0),
  databaseUrl: process.env.DATABASE_URL,
  adminUser: process.env.BENCH_ADMIN_USER,
  adminPassword: process.env.BENCH_ADMIN_PASSWORD,
  oidcIssuer: process.env.OIDC_ISSUER,
  // Concurrent clients of each orders list run.
  listConcurrency: numbers(process.env.BENCH_LIST_CONCURRENCY || '1,8,32'),
  listSeconds: Number(process.env.BENCH_LIST_SECONDS || 20),
  // Pages read per filter: the first page, then this many minus one "next page" requests.
  listPages: Number(process.env.BENCH_LIST_PAGES || 5),
  createConcurrency: numbers(process.env.BENCH_CREATE_CONCURRENCY || '8,16'),
  createSeconds: Number(process.env.BENCH_CREATE_SECONDS || 30),
  // Directory people who sign in to the portal and place the orders.
  people: Number(process.env.BENCH_PEOPLE || 24),
  // Maximum wait, in seconds, for the job queue to empty after the creation runs.
  drainSeconds: Number(process.env.BENCH_DRAIN_SECONDS || 300),
  resultsFile: process.env.BENCH_RESULTS || '',
  peopleFile: new URL('../services/people.json', import.meta.url),
};

// The definitions that the creation runs order, as e2e/bench/seed_file.mjs names them.
const CREATE_SCENARIOS = [
  { definition: 'Jump host access', label: 'no approval' },
  { definition: 'Finance app access', label: "manager's approval" },
];

// The orders list filters, one per request, as the admin SPA's filter bar sends them.
const LIST_STATES = ['active', 'pending_approval', 'completed', 'failed', 'scheduled'];

function log(message) {
  console.error(`[bench] ${message}`);
}

function fail(message) {
  throw new Error(message);
}

// ---- HTTP ----------------------------------------------------------------------------------

const target = new URL(CONFIG.baseUrl);

// Sends one request over AGENT's kept-alive connections and returns the status, the body
// and the time from sending to the last byte of the response, in milliseconds.
function send(agent, method, path, headers = {}, body = undefined) {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const allHeaders = { Accept: 'application/json', ...headers };
    if (payload) {
      allHeaders['Content-Type'] = 'application/json';
      allHeaders['Content-Length'] = payload.length;
    }
    const started = process.hrtime.bigint();
    const done = (status, text, error) =>
      resolve({ status, text, error, ms: Number(process.hrtime.bigint() - started) / 1e6 });
    const req = http.request(
      { host: target.hostname, port: target.port, method, path, headers: allHeaders, agent },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => done(res.statusCode, Buffer.concat(chunks).toString('utf8')));
        res.on('error', (error) => done(0, '', error.message));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timed out after 30 s')));
    req.on('error', (error) => done(0, '', error.message));
    req.end(payload);
  });
}

function json(response, description) {
  if (response.status < 200 || response.status >= 300) {
    fail(`${description} returned ${response.status}${response.error ? ` (${response.error})` : ''}: ${response.text.slice(0, 500)}`);
  }
  return JSON.parse(response.text);
}

// ---- statistics ----------------------------------------------------------------------------

// Returns the Pth percentile (0-100) of SORTED by the nearest-rank method.
function percentile(sorted, p) {
  if (sorted.length === 0) {
    return NaN;
  }
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function summarize(samples, seconds) {
  const ok = samples.filter((s) => s.ok);
  const sorted = ok.map((s) => s.ms).sort((a, b) => a - b);
  return {
    requests: samples.length,
    ok: ok.length,
    errors: samples.length - ok.length,
    perSecond: ok.length / seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
}

function errorCounts(samples) {
  const counts = new Map();
  for (const sample of samples.filter((s) => !s.ok)) {
    const key = sample.error ? `network: ${sample.error}` : `HTTP ${sample.status}`;
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  return Object.fromEntries(counts);
}

// ---- server memory -------------------------------------------------------------------------

// Reads VmRSS and VmHWM of the server process from /proc, in MiB.
function serverMemory() {
  if (!CONFIG.serverPid) {
    return null;
  }
  const status = readFileSync(`/proc/${CONFIG.serverPid}/status`, 'utf8');
  const field = (name) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : NaN;
  };
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

// ---- database checks -----------------------------------------------------------------------

async function sql(statement) {
  const { stdout } = await runFile('psql', [CONFIG.databaseUrl, '-v', 'ON_ERROR_STOP=1', '-AtF', '\t', '-c', statement], {
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t'));
}

// ---- sign-in -------------------------------------------------------------------------------

// Signs the benchmark admin in and creates an API token that may read orders and the catalog.
async function createApiToken() {
  const context = await playwrightRequest.newContext({ baseURL: CONFIG.baseUrl });
  try {
    const login = await context.post('/api/v1/auth/login', {
      data: { username: CONFIG.adminUser, password: CONFIG.adminPassword },
    });
    if (!login.ok()) {
      fail(`admin sign-in returned ${login.status()}: ${await login.text()}`);
    }
    const { csrf_token: csrfToken } = await login.json();
    const created = await context.post('/api/v1/tokens', {
      headers: { 'X-CSRF-Token': csrfToken },
      data: { name: `load benchmark ${new Date().toISOString()}`, scopes: ['orders:read', 'catalog:read'], expires_in_days: 1 },
    });
    if (!created.ok()) {
      fail(`creating the API token returned ${created.status()}: ${await created.text()}`);
    }
    return (await created.json()).secret;
  } finally {
    await context.dispose();
  }
}

// Signs PERSON in to the portal through the OpenID Connect provider's password form, the way
// a browser does: the redirects are followed and the cookies kept by the request context.
// Returns the person with the Cookie header of the portal session, its CSRF token and the
// portal user id.
async function portalSession(person) {
  const context = await playwrightRequest.newContext({ baseURL: CONFIG.baseUrl, maxRedirects: 20 });
  try {
    const form = await context.get('/api/v1/portal/auth/login?return_to=/portal/');
    const html = await form.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!form.ok() || !action) {
      fail(`the sign-in form for ${person.sAMAccountName} did not load (${form.status()} at ${form.url()})`);
    }
    const formUrl = new URL(action.replaceAll('&amp;', '&'), form.url());
    // The last redirect lands on the portal page, which this server may not have built.
    await context.post(formUrl.toString(), {
      form: { username: person.sAMAccountName, password: person.password },
    });
    const state = await context.storageState();
    const cookies = state.cookies.filter((c) => c.domain === target.hostname && c.path.startsWith('/'));
    const header = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const session = await context.get('/api/v1/portal/session');
    if (!session.ok()) {
      fail(`portal sign-in of ${person.sAMAccountName} did not produce a session: ${session.status()} ${await session.text()}`);
    }
    const body = await session.json();
    return { person, cookie: header, csrf: body.csrf_token, userId: body.user_id };
  } finally {
    await context.dispose();
  }
}

// ---- orders list ---------------------------------------------------------------------------

async function definitionIds(agent, token) {
  const page = json(
    await send(agent, 'GET', '/api/v1/asset-definitions?limit=100', { Authorization: `Bearer ${token}` }),
    'listing the asset definitions',
  );
  return new Map(page.items.map((d) => [d.name, d.id]));
}

// Runs CONCURRENCY clients for SECONDS. Each client takes the next filter (a state or a
// definition) from the list in turn, reads its first page of 50 and follows next_cursor for
// up to CONFIG.listPages pages in all, then takes the next filter.
async function listRun(token, definitions, concurrency, seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const headers = { Authorization: `Bearer ${token}` };
  const filters = [
    ...LIST_STATES.map((state) => `state=${state}`),
    ...[...definitions.values()].map((id) => `definition_id=${id}`),
  ];
  const samples = [];
  const deadline = Date.now() + seconds * 1000;
  let nextFilter = 0;
  const client = async (clientIndex) => {
    while (Date.now() < deadline) {
      const filter = filters[(nextFilter++ + clientIndex) % filters.length];
      let cursor = null;
      for (let page = 0; page < CONFIG.listPages && Date.now() < deadline; page++) {
        const query = `limit=50&${filter}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const response = await send(agent, 'GET', `/api/v1/orders?${query}`, headers);
        const ok = response.status === 200;
        samples.push({ ok, ms: response.ms, status: response.status, error: response.error, next: page > 0 });
        if (!ok) {
          break;
        }
        const body = JSON.parse(response.text);
        if (body.items.length > 50) {
          fail(`the orders list returned ${body.items.length} items for limit=50`);
        }
        cursor = body.next_cursor;
        if (!cursor) {
          break;
        }
      }
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: concurrency }, (_, i) => client(i)));
  const elapsed = (Date.now() - started) / 1000;
  agent.destroy();
  return {
    concurrency,
    all: summarize(samples, elapsed),
    first: summarize(samples.filter((s) => !s.next), elapsed),
    next: summarize(samples.filter((s) => s.next), elapsed),
    errors: errorCounts(samples),
  };
}

// ---- order creation ------------------------------------------------------------------------

// Places orders of DEFINITION_ID from CONCURRENCY clients for SECONDS, each request with its
// own Idempotency-Key, rotating through SESSIONS. Returns the samples and the order id that
// each 201 response returned, by key.
async function createRun(sessions, definitionId, keyPrefix, concurrency, seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const samples = [];
  const created = new Map();
  const deadline = Date.now() + seconds * 1000;
  let sequence = 0;
  let failures = 0;
  const client = async () => {
    while (Date.now() < deadline) {
      const n = sequence++;
      const session = sessions[n % sessions.length];
      const key = `${keyPrefix}-${n}`;
      const response = await send(
        agent,
        'POST',
        '/api/v1/portal/orders',
        { Cookie: session.cookie, 'X-CSRF-Token': session.csrf, 'Idempotency-Key': key },
        { definition_id: definitionId, duration_days: 30, justification: `Load benchmark order ${n}` },
      );
      const ok = response.status === 201;
      samples.push({ ok, ms: response.ms, status: response.status, error: response.error, key });
      if (ok) {
        created.set(key, JSON.parse(response.text).id);
      } else if (++failures <= 5) {
        log(`order ${key} returned ${response.status}${response.error ? ` (${response.error})` : ''}: ${response.text.slice(0, 300)}`);
      }
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: concurrency }, () => client()));
  const elapsed = (Date.now() - started) / 1000;
  agent.destroy();
  return { concurrency, samples, created, elapsed, summary: summarize(samples, elapsed), errors: errorCounts(samples) };
}

// Sends a second request with keys that already created orders and checks that each returns
// the first order and creates nothing.
async function replayCheck(sessions, definitionId, run, count) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const keys = [...run.created.keys()].slice(0, count);
  let same = 0;
  for (const key of keys) {
    const n = Number(key.split('-').pop());
    const session = sessions[n % sessions.length];
    const response = await send(
      agent,
      'POST',
      '/api/v1/portal/orders',
      { Cookie: session.cookie, 'X-CSRF-Token': session.csrf, 'Idempotency-Key': key },
      { definition_id: definitionId, duration_days: 30, justification: `Load benchmark order ${n}` },
    );
    if (response.status === 201 && JSON.parse(response.text).id === run.created.get(key)) {
      same += 1;
    }
  }
  agent.destroy();
  return { replayed: keys.length, same };
}

// Compares the orders in the database whose Idempotency-Key starts with KEY_PREFIX with the
// 201 responses: each must have created exactly one order with the returned id, and no order
// may exist for a request that did not get a 201.
async function verifyCreated(keyPrefix, run) {
  const rows = await sql(
    `select idempotency_key, id, state from orders where idempotency_key like '${keyPrefix}-%'`,
  );
  const byKey = new Map();
  const states = {};
  for (const [key, id, state] of rows) {
    byKey.set(key, (byKey.get(key) || []).concat(id));
    states[state] = (states[state] || 0) + 1;
  }
  let matched = 0;
  const problems = [];
  for (const [key, id] of run.created) {
    const ids = byKey.get(key) || [];
    if (ids.length === 1 && ids[0] === id) {
      matched += 1;
    } else if (problems.length < 5) {
      problems.push(`key ${key}: response id ${id}, database ${JSON.stringify(ids)}`);
    }
  }
  const withoutResponse = [...byKey.keys()].filter((key) => !run.created.has(key));
  return { rows: rows.length, matched, withoutResponse: withoutResponse.length, states, problems };
}

// Waits until no job of the benchmark's orders is queued or running, then counts the jobs by
// state. Provisioning and approval mail jobs run in the server's workers after the responses.
async function drainJobs(since) {
  const started = Date.now();
  let open = 0;
  while (Date.now() - started < CONFIG.drainSeconds * 1000) {
    [[open]] = await sql(`select count(*) from jobs where created_at >= '${since}' and state in ('queued', 'running')`);
    if (Number(open) === 0) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  const rows = await sql(`select queue, state, count(*) from jobs where created_at >= '${since}' group by 1, 2 order by 1, 2`);
  return {
    seconds: (Date.now() - started) / 1000,
    jobs: rows.map(([queue, state, count]) => ({ queue, state, count: Number(count) })),
  };
}

// ---- report --------------------------------------------------------------------------------

const ms = (value) => (Number.isFinite(value) ? value.toFixed(1) : '-');
const mib = (value) => (Number.isFinite(value) ? value.toFixed(0) : '-');

function listTable(runs) {
  const lines = [
    '| clients | requests | req/s | errors | p50 ms | p95 ms | p99 ms | max ms | first page p95 ms | next page p95 ms |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const run of runs) {
    const s = run.all;
    lines.push(
      `| ${run.concurrency} | ${s.requests} | ${s.perSecond.toFixed(0)} | ${s.errors} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} | ${ms(run.first.p95)} | ${ms(run.next.p95)} |`,
    );
  }
  return lines.join('\n');
}

function createTable(runs) {
  const lines = [
    '| definition | clients | seconds | created | orders/s | errors | p50 ms | p95 ms | p99 ms | max ms | in database | replayed keys returning the same order |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const run of runs) {
    const s = run.summary;
    lines.push(
      `| ${run.label} | ${run.concurrency} | ${run.elapsed.toFixed(0)} | ${s.ok} | ${s.perSecond.toFixed(0)} | ${s.errors} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} | ${run.verified.matched} of ${run.verified.rows} | ${run.replay.same} of ${run.replay.replayed} |`,
    );
  }
  return lines.join('\n');
}

function memoryTable(points) {
  const lines = ['| when | VmRSS MiB | VmHWM MiB |', '|---|---:|---:|'];
  for (const point of points) {
    lines.push(`| ${point.when} | ${mib(point.memory?.rss)} | ${mib(point.memory?.hwm)} |`);
  }
  return lines.join('\n');
}

// ---- main ----------------------------------------------------------------------------------

async function main() {
  for (const [name, value] of Object.entries({
    DATABASE_URL: CONFIG.databaseUrl,
    BENCH_ADMIN_USER: CONFIG.adminUser,
    BENCH_ADMIN_PASSWORD: CONFIG.adminPassword,
  })) {
    if (!value) {
      fail(`${name} is not set; run the benchmark through bash e2e/bench/run.sh`);
    }
  }
  const memory = [{ when: 'before the runs', memory: serverMemory() }];
  const [[orderCount]] = await sql('select count(*) from orders');
  log(`${orderCount} orders in the database`);

  const token = await createApiToken();
  const setupAgent = new http.Agent({ keepAlive: true });
  const definitions = await definitionIds(setupAgent, token);

  const listRuns = [];
  for (const concurrency of CONFIG.listConcurrency) {
    log(`orders list: ${concurrency} clients for ${CONFIG.listSeconds} s`);
    const run = await listRun(token, definitions, concurrency, CONFIG.listSeconds);
    log(`orders list: ${run.all.perSecond.toFixed(0)} req/s, p95 ${ms(run.all.p95)} ms, errors ${JSON.stringify(run.errors)}`);
    listRuns.push(run);
  }
  memory.push({ when: 'after the orders list runs', memory: serverMemory() });

  const { people } = JSON.parse(readFileSync(CONFIG.peopleFile, 'utf8'));
  // People with an enabled account and a manager, so both definitions can be ordered.
  const orderers = people.filter((p) => (p.userAccountControl & 2) === 0 && p.manager).slice(0, CONFIG.people);
  log(`signing ${orderers.length} people in to the portal through the OpenID Connect provider`);
  const sessions = [];
  for (const person of orderers) {
    sessions.push(await portalSession(person));
  }

  const runId = `bench-${Date.now().toString(36)}`;
  const [[startedAt]] = await sql('select now()');
  const createRuns = [];
  for (const scenario of CREATE_SCENARIOS) {
    const definitionId = definitions.get(scenario.definition) ?? fail(`no asset definition named ${scenario.definition}`);
    for (const concurrency of CONFIG.createConcurrency) {
      const keyPrefix = `${runId}-${createRuns.length}`;
      log(`order creation (${scenario.label}): ${concurrency} clients for ${CONFIG.createSeconds} s`);
      const run = await createRun(sessions, definitionId, keyPrefix, concurrency, CONFIG.createSeconds);
      log(`order creation (${scenario.label}): ${run.summary.perSecond.toFixed(0)} orders/s, p99 ${ms(run.summary.p99)} ms, errors ${JSON.stringify(run.errors)}`);
      run.label = scenario.label;
      run.replay = await replayCheck(sessions, definitionId, run, 50);
      run.verified = await verifyCreated(keyPrefix, run);
      memory.push({ when: `after order creation (${scenario.label}, ${concurrency} clients)`, memory: serverMemory() });
      createRuns.push(run);
    }
  }
  log('waiting for the provisioning and mail jobs of the new orders');
  const drain = await drainJobs(startedAt);
  memory.push({ when: 'after waiting for the jobs', memory: serverMemory() });

  const problems = [];
  for (const run of createRuns) {
    const v = run.verified;
    if (v.matched !== run.created.size || v.rows !== run.created.size || v.withoutResponse > 0) {
      problems.push(
        `${run.label}: ${run.created.size} responses with 201, ${v.rows} orders in the database, ${v.matched} match, ${v.withoutResponse} without a 201. ${v.problems.join('; ')}`,
      );
    }
    if (run.replay.same !== run.replay.replayed) {
      problems.push(`${run.label}: ${run.replay.replayed - run.replay.same} replayed keys did not return their first order`);
    }
  }
  const jobsIn = (...states) =>
    drain.jobs.filter((j) => states.includes(j.state)).reduce((sum, j) => sum + j.count, 0);
  if (jobsIn('dead') > 0) {
    problems.push(`${jobsIn('dead')} jobs of the new orders are dead`);
  }
  if (jobsIn('queued', 'running') > 0) {
    problems.push(`${jobsIn('queued', 'running')} jobs of the new orders were still queued or running after ${CONFIG.drainSeconds} s`);
  }

  const report = [
    `Orders in the database at the start: ${orderCount}.`,
    '',
    `### Orders list (GET /api/v1/orders, 50 per page, one filter, up to ${CONFIG.listPages} pages per filter), ${CONFIG.listSeconds} s per row`,
    '',
    listTable(listRuns),
    '',
    `### Order creation (POST /api/v1/portal/orders), ${sessions.length} portal users`,
    '',
    createTable(createRuns),
    '',
    'States of the created orders: ' +
      createRuns.map((r) => `${r.label}: ${JSON.stringify(r.verified.states)}`).join('; '),
    '',
    `Jobs of the created orders after ${drain.seconds.toFixed(0)} s: ` +
      drain.jobs.map((j) => `${j.queue} ${j.state} ${j.count}`).join(', '),
    '',
    'Errors: ' +
      [...listRuns.map((r) => `list ${r.concurrency}: ${JSON.stringify(r.errors)}`), ...createRuns.map((r) => `${r.label} ${r.concurrency}: ${JSON.stringify(r.errors)}`)].join('; '),
    '',
    '### Server memory',
    '',
    memoryTable(memory),
    '',
    problems.length ? `Problems:\n${problems.map((p) => `- ${p}`).join('\n')}` : 'Checks: every 201 created exactly one order with the returned id, no order exists without a 201, replayed keys returned their first order, and every job of the new orders succeeded.',
    '',
  ].join('\n');
  process.stdout.write(report);
  if (CONFIG.resultsFile) {
    writeFileSync(CONFIG.resultsFile, report);
    writeFileSync(
      CONFIG.resultsFile.replace(/\.md$/, '') + '.json',
      JSON.stringify(
        {
          listRuns,
          createRuns: createRuns.map(({ samples, created, ...rest }) => rest),
          drain,
          memory,
          problems,
        },
        null,
        2,
      ),
    );
  }
  setupAgent.destroy();
  if (problems.length) {
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(`[bench] error: ${error.stack || error}`);
  process.exit(1);
});
