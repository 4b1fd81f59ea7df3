#!/usr/bin/env node
// Driver of the server benchmark (e2e/bench/server.sh): start-up time, memory at rest and
// under load, requests per second and latency of GET /health and of an authenticated list
// endpoint (GET /api/v1/assets?limit=50 with an API token), with wrk; and the web app's
// compressed size and time to first render in headless Chromium. Prints a markdown report
// and writes it to BENCH_RESULTS.
//
// Environment: BENCH_BIN (the release server), BENCH_URL, BENCH_ADMIN_USER,
// BENCH_ADMIN_PASSWORD, BENCH_SEED (the `ipsolis seed` file with that admin, loaded after the
// first start), BENCH_SPA_DIR, BENCH_RESULTS, BENCH_LOG, and the server's own
// variables (DATABASE_URL and the rest), which it passes on to the servers it starts.
// BENCH_CONCURRENCY [1,16,64] BENCH_SECONDS [15] BENCH_STARTS [3] BENCH_RENDERS [5].
import { execFile, spawn } from 'node:child_process';
import { openSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

import { chromium } from 'playwright-core';

const execFileAsync = promisify(execFile);
const env = process.env;
const CONFIG = {
  bin: env.BENCH_BIN,
  baseUrl: env.BENCH_URL,
  adminUser: env.BENCH_ADMIN_USER,
  adminPassword: env.BENCH_ADMIN_PASSWORD,
  seed: env.BENCH_SEED,
  spaDir: env.BENCH_SPA_DIR,
  results: env.BENCH_RESULTS,
  log: env.BENCH_LOG,
  concurrency: (env.BENCH_CONCURRENCY || '1,16,64').split(',').map(Number),
  seconds: Number(env.BENCH_SECONDS || 15),
  starts: Number(env.BENCH_STARTS || 3),
  renders: Number(env.BENCH_RENDERS || 5),
};

function fail(message) {
  console.error(`[bench] error: ${message}`);
  process.exit(1);
}

for (const [key, value] of Object.entries(CONFIG)) {
  if (value === undefined || value === '') {
    fail(`missing setting ${key}; run the benchmark through e2e/bench/server.sh`);
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// Resident memory of PID in MiB, from /proc.
function rssMiB(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

// ---- the server under test -----------------------------------------------------------------

// Starts `ipsolis serve` and returns it with the milliseconds from spawn to the first 200
// from GET /health.
async function startServer() {
  const log = openSync(CONFIG.log, 'a');
  const startedAt = performance.now();
  const child = spawn(CONFIG.bin, ['serve'], { env, stdio: ['ignore', log, log] });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  while (performance.now() - startedAt < 60_000) {
    if (exited) {
      fail(`the server exited during start; see ${CONFIG.log}`);
    }
    try {
      const response = await fetch(`${CONFIG.baseUrl}/health`);
      if (response.status === 200) {
        return { child, readyMs: performance.now() - startedAt };
      }
    } catch {
      // Not listening yet.
    }
    await sleep(5);
  }
  fail(`GET /health did not return 200 within 60 s; see ${CONFIG.log}`);
  return null;
}

async function stopServer(child) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

// Pool instances the list endpoint pages through: more than one page of 50.
const INSTANCES = 200;

// Signs the benchmark admin in, adds INSTANCES pool instances to the first definition that
// assigns them, and creates an API token that may read the catalog. Returns the token.
async function prepareData() {
  const login = await fetch(`${CONFIG.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: CONFIG.adminUser, password: CONFIG.adminPassword }),
  });
  if (!login.ok) {
    fail(`admin sign-in returned ${login.status}: ${await login.text()}`);
  }
  const { csrf_token: csrfToken } = await login.json();
  const cookie = login.headers.getSetCookie().map((value) => value.split(';')[0]).join('; ');
  const call = async (method, path, body) => {
    const response = await fetch(`${CONFIG.baseUrl}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken, Cookie: cookie },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      fail(`${method} ${path} returned ${response.status}: ${await response.text()}`);
    }
    return response.json();
  };

  const definitions = await call('GET', '/api/v1/asset-definitions');
  const list = definitions.items ?? definitions;
  const assigning = list.find((definition) => definition.assignment === 'assigned_personal');
  if (!assigning) {
    fail('the seed file has no definition that assigns instances');
  }
  for (let i = 1; i <= INSTANCES; i += 1) {
    const name = `bench-vdi-${String(i).padStart(3, '0')}`;
    await call('POST', '/api/v1/assets', { definition_id: assigning.id, name });
  }

  const created = await call('POST', '/api/v1/tokens', {
    name: `server benchmark ${Date.now()}`,
    scopes: ['catalog:read'],
    expires_in_days: 1,
  });
  return created.secret;
}

// ---- load ------------------------------------------------------------------------------------

// Parses wrk's --latency output into requests per second, latency percentiles in ms and the
// count of non-2xx responses and socket errors.
function parseWrk(text) {
  const toMs = (value, unit) => Number(value) * { us: 0.001, ms: 1, s: 1000 }[unit];
  const percentile = (p) => {
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(text);
    return match ? toMs(match[1], match[2]) : NaN;
  };
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const total = /(\d+) requests in/.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    rps: rps ? Number(rps[1]) : NaN,
    requests: total ? Number(total[1]) : NaN,
    p50: percentile(50),
    p99: percentile(99),
    errors: (non2xx ? Number(non2xx[1]) : 0) + (socket ? socket.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0),
  };
}

// Runs wrk against PATH with CONNECTIONS connections and returns its figures with the
// server's peak resident memory during the run.
async function load(pid, path, connections, headers = []) {
  const threads = Math.min(2, connections);
  const args = ['--latency', '-t', String(threads), '-c', String(connections), '-d', `${CONFIG.seconds}s`];
  for (const header of headers) {
    args.push('-H', header);
  }
  args.push(`${CONFIG.baseUrl}${path}`);
  let peak = rssMiB(pid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(pid));
  }, 200);
  try {
    const { stdout } = await execFileAsync('wrk', args, { maxBuffer: 1 << 20 });
    return { ...parseWrk(stdout), peakMiB: peak };
  } finally {
    clearInterval(sampler);
  }
}

// ---- the web app -----------------------------------------------------------------------------

function spaSizes() {
  const rows = [];
  for (const name of readdirSync(CONFIG.spaDir)) {
    const path = join(CONFIG.spaDir, name);
    if (!statSync(path).isFile()) {
      continue;
    }
    const bytes = readFileSync(path);
    rows.push({
      name: name.replace(/-[0-9a-f]{12,16}(?=[._])/, '-HASH'),
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    });
  }
  return rows.sort((a, b) => b.raw - a.raw);
}

// Loads /ui/ in a fresh browser context (empty cache) and returns the milliseconds from the
// start of navigation until the sign-in form's heading is visible, as the page measures it.
async function firstRender(browser) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${CONFIG.baseUrl}/ui/`);
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor({ timeout: 30_000 });
    return await page.evaluate(() => performance.now());
  } finally {
    await context.close();
  }
}

// ---- report ----------------------------------------------------------------------------------

const fixed = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;

async function main() {
  const lines = [];
  const print = (line = '') => {
    lines.push(line);
    console.log(line);
  };

  // Start-up: the first start applies every migration to the empty database; the admin and
  // the asset definitions are loaded after it.
  const starts = [];
  let server = null;
  for (let i = 0; i < CONFIG.starts; i += 1) {
    server = await startServer();
    starts.push(server.readyMs);
    if (i < CONFIG.starts - 1) {
      await stopServer(server.child);
    }
    if (i === 0) {
      await execFileAsync(CONFIG.bin, ['seed', CONFIG.seed], { env });
    }
  }
  const pid = server.child.pid;
  const token = await prepareData();
  await sleep(10_000);
  const idleMiB = rssMiB(pid);

  print('### Start-up and memory');
  print();
  print('| measure | value |');
  print('|---|---|');
  print(`| process start to first healthy answer, empty database (migrations applied) | ${fixed(starts[0], 0)} ms |`);
  if (starts.length > 1) {
    print(`| process start to first healthy answer, migrated database (median of ${starts.length - 1}) | ${fixed(median(starts.slice(1)), 0)} ms |`);
  }
  print(`| resident memory at rest, 10 s after start | ${fixed(idleMiB)} MiB |`);

  const targets = [
    { name: 'GET /health', path: '/health', headers: [] },
    {
      name: `GET /api/v1/assets?limit=50 (API token, ${INSTANCES} instances)`,
      path: '/api/v1/assets?limit=50',
      headers: [`Authorization: Bearer ${token}`],
    },
  ];
  const results = [];
  for (const target of targets) {
    for (const connections of CONFIG.concurrency) {
      const result = await load(pid, target.path, connections, target.headers);
      results.push({ target: target.name, connections, ...result });
      console.error(`[bench] ${target.name} with ${connections} connections: ${fixed(result.rps, 0)} req/s`);
    }
  }
  const peakMiB = Math.max(...results.map((r) => r.peakMiB));
  await sleep(5_000);
  const afterMiB = rssMiB(pid);

  print(`| peak resident memory under load | ${fixed(peakMiB)} MiB |`);
  print(`| resident memory 5 s after the load | ${fixed(afterMiB)} MiB |`);
  print();
  print(`### Requests (${CONFIG.seconds} s per row, wrk)`);
  print();
  print('| endpoint | connections | requests/s | p50 | p99 | errors |');
  print('|---|---:|---:|---:|---:|---:|');
  for (const r of results) {
    print(`| ${r.target} | ${r.connections} | ${fixed(r.rps, 0)} | ${fixed(r.p50, 2)} ms | ${fixed(r.p99, 2)} ms | ${r.errors} |`);
  }

  const sizes = spaSizes();
  const total = sizes.reduce((sum, row) => ({ raw: sum.raw + row.raw, gzip: sum.gzip + row.gzip, brotli: sum.brotli + row.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  print();
  print('### Web app');
  print();
  print('| file | size | gzip -9 | brotli 11 |');
  print('|---|---:|---:|---:|');
  for (const row of sizes) {
    print(`| ${row.name} | ${kib(row.raw)} | ${kib(row.gzip)} | ${kib(row.brotli)} |`);
  }
  print(`| all | ${kib(total.raw)} | ${kib(total.gzip)} | ${kib(total.brotli)} |`);

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const renders = [];
  try {
    for (let i = 0; i < CONFIG.renders; i += 1) {
      renders.push(await firstRender(browser));
    }
  } finally {
    await browser.close();
  }
  print();
  print(`Time to first render of /ui/ (the sign-in form) with an empty cache, ${CONFIG.renders} loads: ` +
    `median ${fixed(median(renders), 0)} ms, slowest ${fixed(Math.max(...renders), 0)} ms.`);

  await stopServer(server.child);
  writeFileSync(CONFIG.results, `${lines.join('\n')}\n`);
  writeFileSync(CONFIG.results.replace(/\.md$/, '.json'), JSON.stringify({ starts, idleMiB, peakMiB, afterMiB, results, sizes, renders }, null, 2));
}

await main();
