// One browser test run: a fresh database, a test group in the directory, the server, one
// Chromium with a context per person, and steps that stop at the first failure.
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';

import { chromium } from 'playwright-core';

import { APP_PORT, APP_URL, DATABASE_NAME, WAIT_MS, resultsDir, serviceEnv } from './config.mjs';
import { recreateDatabase } from './database.mjs';
import { Directory } from './ldap.mjs';
import { Nginx } from './nginx.mjs';
import { Server } from './server.mjs';

const CHROMIUM = '/usr/bin/chromium';
// Playwright adds --headless and starts every browser with a new temporary profile
// (--user-data-dir), which it deletes on close.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function fileSafe(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

export class TestRun {
  // NAME prefixes the log and screenshot files in e2e/test-results/. SERVER_ENV holds
  // variables that the server under test gets on top of its minimal environment. With
  // REPLICAS, that many servers of one installation run on APP_PORT and the ports after it,
  // behind nginx with TLS at APP_URL (which must then be an https:// address).
  constructor(name, { serverEnv = {}, replicas = 0 } = {}) {
    this.name = name;
    this.serverEnv = serverEnv;
    this.replicas = replicas;
    this.env = serviceEnv();
    this.resultsDir = resultsDir();
    this.server = null;
    this.servers = [];
    this.nginx = null;
    this.databaseUrl = null;
    this.directory = null;
    this.browser = null;
    this.pages = new Map();
    // Console errors, page errors and failed API responses of every page, printed when a step
    // fails.
    this.browserLog = [];
    this.groupDn = null;
    this.failedStep = null;
  }

  // Registers the before and after hooks of the calling test file.
  hooks() {
    before(async () => {
      try {
        await this.start();
      } catch (error) {
        this.failedStep = 'setup';
        throw error;
      }
    });
    after(async () => {
      await this.finish();
    });
  }

  async start() {
    // The server log and screenshots of an earlier run would pass for this run's.
    for (const file of readdirSync(this.resultsDir)) {
      if (file.startsWith(`${this.name}-`)) {
        rmSync(join(this.resultsDir, file));
      }
    }

    const databaseUrl = await recreateDatabase(this.env.adminDatabaseUrl, DATABASE_NAME);
    this.databaseUrl = databaseUrl;
    this.directory = new Directory({
      url: this.env.LDAP_URL,
      baseDn: this.env.LDAP_BASE_DN,
      bindDn: this.env.LDAP_BIND_DN,
      bindPassword: this.env.LDAP_BIND_PASSWORD,
    });
    this.groupDn = await this.directory.createGroup('E2E Finance');

    if (this.replicas > 0) {
      await this.startReplicas(databaseUrl);
    } else {
      this.server = new Server({
        databaseUrl,
        redisUrl: this.env.redisUrl,
        logFile: join(this.resultsDir, `${this.name}-server.log`),
        extraEnv: this.serverEnv,
      });
      await this.server.start();
      this.servers = [this.server];
    }

    this.browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  }

  async startReplicas(databaseUrl) {
    const url = new URL(APP_URL);
    if (url.protocol !== 'https:') {
      throw new Error(
        `the test "${this.name}" runs behind nginx with TLS: set E2E_APP_URL to an https:// ` +
          `address such as https://127.0.0.1:18443 (now ${APP_URL})`,
      );
    }
    const httpsPort = Number(url.port);
    const httpPort = Number(process.env.E2E_PROXY_HTTP_PORT || httpsPort + 1);
    // One installation: the same database, secret key and Redis prefix on every replica.
    const shared = {
      secretKey: randomBytes(32).toString('hex'),
      redisPrefix: `ipsolis-e2e:${randomBytes(8).toString('hex')}:`,
    };
    for (let index = 0; index < this.replicas; index += 1) {
      const server = new Server({
        databaseUrl,
        redisUrl: this.env.redisUrl,
        logFile: join(this.resultsDir, `${this.name}-server-${index + 1}.log`),
        extraEnv: { IPSOLIS_TRUSTED_PROXIES: '127.0.0.1', ...this.serverEnv },
        port: APP_PORT + index,
        ...shared,
      });
      // One after the other: the first applies the migrations.
      await server.start();
      this.servers.push(server);
    }
    this.server = this.servers[0];
    this.nginx = new Nginx({
      httpPort,
      httpsPort,
      upstreamPorts: this.servers.map((server) => server.port),
    });
    await this.nginx.start();
  }

  // Returns the page of the browser context for PERSON, creating both on first use. Each
  // person has their own cookies.
  async page(person) {
    if (!this.pages.has(person)) {
      // UTC, so the dates the pages show can be compared with Date.UTC values.
      // The certificate of the nginx tests is self-signed.
      const context = await this.browser.newContext({
        timezoneId: 'UTC',
        ignoreHTTPSErrors: this.nginx !== null,
      });
      context.setDefaultTimeout(WAIT_MS);
      context.setDefaultNavigationTimeout(WAIT_MS);
      const page = await context.newPage();
      const note = (line) => this.browserLog.push(`${new Date().toISOString()} ${person}: ${line}`);
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') {
          note(`console ${message.type()}: ${message.text()}`);
        }
      });
      page.on('pageerror', (error) => note(`page error: ${error.message}`));
      page.on('response', (response) => {
        if (response.status() >= 400) {
          note(`${response.request().method()} ${response.url()} returned ${response.status()}`);
        }
      });
      this.pages.set(person, page);
    }
    return this.pages.get(person);
  }

  // Registers a test that runs BODY, or skips it when an earlier step failed, because every
  // step builds on the state the earlier ones left.
  step(name, body) {
    it(name, async (t) => {
      if (this.failedStep) {
        t.skip(`the earlier step "${this.failedStep}" failed`);
        return;
      }
      try {
        await body();
      } catch (error) {
        this.failedStep = name;
        await this.screenshots(name);
        if (this.browserLog.length > 0) {
          console.error(`\nlast browser events:\n${this.browserLog.slice(-20).join('\n')}\n`);
        }
        throw error;
      }
    });
  }

  async screenshots(stepName) {
    for (const [person, page] of this.pages) {
      const file = join(this.resultsDir, `${this.name}-${fileSafe(stepName)}-${person}.png`);
      try {
        await page.screenshot({ path: file, fullPage: true });
        console.error(`screenshot of ${person}'s page ${page.url()}: ${file}`);
      } catch (error) {
        console.error(`screenshot of ${person}'s page failed: ${error.message}`);
      }
    }
  }

  // Closes the browser, stops the server and deletes the test group, whatever state the
  // run reached. Prints the end of the server log when a step failed.
  async finish() {
    const problems = [];
    const attempt = async (description, action) => {
      try {
        await action();
      } catch (error) {
        problems.push(`${description}: ${error.message}`);
      }
    };
    await attempt('closing Chromium', () => this.browser?.close());
    await attempt('stopping nginx', () => this.nginx?.stop());
    for (const server of this.servers) {
      await attempt(`stopping the server on port ${server.port}`, () => server.stop());
      if (this.failedStep && server.child) {
        console.error(`\nlast lines of ${server.logFile}:\n${server.logTail()}\n`);
      }
    }
    if (this.groupDn) {
      const groupDn = this.groupDn;
      await attempt(`deleting the test group ${groupDn}`, () => this.directory.deleteEntry(groupDn));
    }
    this.directory?.close();
    if (problems.length > 0) {
      throw new Error(`cleanup failed:\n${problems.join('\n')}`);
    }
  }
}
