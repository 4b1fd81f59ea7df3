// Starts and stops the ipsolis server under test, with its output in a log file.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

import { APP_PORT, APP_URL, REPO_ROOT, SERVER_START_MS } from './config.mjs';

// The build the test script made; CARGO_TARGET_DIR moves it, as it does for cargo.
export const BINARY = join(process.env.CARGO_TARGET_DIR || join(REPO_ROOT, 'target'), 'debug/ipsolis');
// E2E_SPA_DIR points at another trunk output, for example one built with `--dist`.
const SPA_DIR = process.env.E2E_SPA_DIR || join(REPO_ROOT, 'frontend/dist');
const STOP_MS = 10_000;

function portIsOpen(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function healthStatus(url) {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
    return response.status;
  } catch {
    return null;
  }
}

export class Server {
  // EXTRA_ENV holds further variables for the server, such as ADMIN_API_KEY, which a test
  // names itself because the server gets nothing else from the shell. Replicas of one
  // installation share SECRET_KEY and REDIS_PREFIX and listen on their own PORT.
  constructor({
    databaseUrl,
    redisUrl,
    logFile,
    extraEnv = {},
    port = APP_PORT,
    secretKey = randomBytes(32).toString('hex'),
    redisPrefix = `ipsolis-e2e:${randomBytes(8).toString('hex')}:`,
  }) {
    this.databaseUrl = databaseUrl;
    this.redisUrl = redisUrl;
    this.logFile = logFile;
    this.extraEnv = extraEnv;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.secretKey = secretKey;
    this.redisPrefix = redisPrefix;
    this.child = null;
    this.exitCode = null;
  }

  // Spawns `ipsolis serve` on 127.0.0.1:PORT and waits until GET /health returns 200.
  async start() {
    for (const [path, fix] of [
      [BINARY, 'cargo build -p ipsolis-backend'],
      [join(SPA_DIR, 'index.html'), 'trunk build --release'],
    ]) {
      if (!existsSync(path)) {
        throw new Error(`${path} not found: run \`${fix}\` in ${REPO_ROOT}`);
      }
    }
    if (await portIsOpen(this.port)) {
      throw new Error(`port ${this.port} on 127.0.0.1 is already in use: stop that process first`);
    }

    // A minimal environment, so settings exported in the developer's shell (ADMIN_API_KEY,
    // other IPSOLIS_* values) cannot change the server under test. Only the test's own
    // extraEnv adds to it.
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      RUST_LOG: process.env.RUST_LOG || 'info,sqlx=warn,tower_http=info',
      RUST_BACKTRACE: '1',
      // tracing-subscriber writes colour codes unless NO_COLOR is set, even into a file.
      NO_COLOR: '1',
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.redisUrl,
      REDIS_PREFIX: this.redisPrefix,
      API_SECRET_KEY: this.secretKey,
      IPSOLIS_BIND: `127.0.0.1:${this.port}`,
      IPSOLIS_PUBLIC_URL: APP_URL,
      IPSOLIS_SPA_DIR: SPA_DIR,
      // Every second instead of every hour, so the scheduler and its jobs run during the test.
      IPSOLIS_EXPIRY_CHECK_CRON: '* * * * * *',
      ...this.extraEnv,
    };
    const log = openSync(this.logFile, 'w');
    try {
      this.child = spawn(BINARY, ['serve'], { cwd: REPO_ROOT, env, stdio: ['ignore', log, log] });
    } finally {
      closeSync(log);
    }
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitCode = code ?? signal;
        resolve();
      });
    });
    // When the test process ends without stop(), for example on an uncaught error, the
    // server must not keep the port.
    const child = this.child;
    process.once('exit', () => {
      if (this.exitCode === null) {
        child.kill('SIGKILL');
      }
    });

    const deadline = Date.now() + SERVER_START_MS;
    let status = null;
    while (Date.now() < deadline) {
      if (this.exitCode !== null) {
        throw new Error(`ipsolis serve exited with ${this.exitCode} during start; see ${this.logFile}`);
      }
      status = await healthStatus(this.url);
      if (status === 200) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(
      `GET ${this.url}/health did not return 200 within ${SERVER_START_MS} ms ` +
        `(last status: ${status ?? 'no response'}); see ${this.logFile}`,
    );
  }

  // Kills the process with SIGKILL, as a crash or a lost machine would, and waits for it.
  async kill() {
    if (!this.child || this.exitCode !== null) {
      return;
    }
    this.child.kill('SIGKILL');
    await this.exited;
  }

  // Sends SIGTERM, and SIGKILL when the server is still running after STOP_MS.
  async stop() {
    if (!this.child || this.exitCode !== null) {
      return;
    }
    this.child.kill('SIGTERM');
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(resolve, STOP_MS, 'timeout');
    });
    const outcome = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      const pid = this.child.pid;
      console.error(`ipsolis serve (pid ${pid}) did not stop within ${STOP_MS} ms; sending SIGKILL`);
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  // Returns the last LINES lines of the server log, leaving out the INFO lines of the expiry
  // check that the scheduler runs every second.
  logTail(lines = 60) {
    if (!existsSync(this.logFile)) {
      return '(no server log)';
    }
    return readFileSync(this.logFile, 'utf8')
      .split('\n')
      .filter((line) => !(line.includes('orders.expiry_check') && line.includes(' INFO ')))
      .slice(-lines)
      .join('\n');
  }
}
