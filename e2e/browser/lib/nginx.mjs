// Debian's nginx in front of the server replicas, with the project's own nginx/nginx.conf and
// a self-signed certificate, so the tests through it exercise the configuration operators use.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { REPO_ROOT } from './config.mjs';

const NGINX = process.env.E2E_NGINX || '/usr/sbin/nginx';

function run(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed: ${result.error?.message ?? result.stderr.trim()}`,
    );
  }
  return result.stdout;
}

// Replaces FROM with TO in TEXT and fails when FROM is missing, so a change to
// nginx/nginx.conf that this adaptation no longer fits breaks the test instead of going unseen.
function replaceOnce(text, from, to) {
  if (!text.includes(from)) {
    throw new Error(`nginx/nginx.conf no longer contains ${JSON.stringify(from)}; update e2e/browser/lib/nginx.mjs`);
  }
  return text.replace(from, to);
}

// Turns the production configuration into one for this machine: loopback ports, the
// replicas' addresses, files in DIR. Everything else (TLS, headers, limits) stays as shipped.
export function adaptConfig(source, { dir, httpPort, httpsPort, upstreamPorts }) {
  let text = source;
  text = replaceOnce(text, 'pid /tmp/nginx.pid;', `pid ${dir}/nginx.pid;`);
  text = text.replaceAll('/tmp/nginx-', `${dir}/nginx-`);
  text = replaceOnce(text, 'include mime.types;', 'include /etc/nginx/mime.types;');
  text = replaceOnce(text, 'access_log /dev/stdout ipsolis;', `access_log ${dir}/access.log ipsolis;`);
  text = replaceOnce(text, 'error_log stderr warn;', `error_log ${dir}/error.log warn;`);
  text = replaceOnce(
    text,
    'server server:8080 max_fails=2 fail_timeout=5s; # site: one line per replica',
    upstreamPorts.map((port) => `server 127.0.0.1:${port} max_fails=2 fail_timeout=5s;`).join('\n        '),
  );
  text = replaceOnce(text, 'listen 80; # site: HTTP port\n', `listen 127.0.0.1:${httpPort};\n`);
  text = replaceOnce(text, 'listen 443 ssl http2; # site: HTTPS port\n', `listen 127.0.0.1:${httpsPort} ssl http2;\n`);
  // This machine may have no IPv6 loopback.
  text = text
    .split('\n')
    .filter((line) => !line.includes('# site: HTTP port (IPv6)') && !line.includes('# site: HTTPS port (IPv6)'))
    .join('\n');
  text = replaceOnce(text, 'ssl_certificate /etc/nginx/tls/fullchain.pem;', `ssl_certificate ${dir}/cert.pem;`);
  text = replaceOnce(text, 'ssl_certificate_key /etc/nginx/tls/privkey.pem;', `ssl_certificate_key ${dir}/key.pem;`);
  // The return target keeps $host, which carries no port: add the HTTPS port.
  text = replaceOnce(text, 'return 301 https://$host$request_uri;', `return 301 https://$host:${httpsPort}$request_uri;`);
  return text;
}

export class Nginx {
  constructor({ httpPort, httpsPort, upstreamPorts }) {
    this.httpPort = httpPort;
    this.httpsPort = httpsPort;
    this.upstreamPorts = upstreamPorts;
    this.dir = mkdtempSync(join(tmpdir(), 'ipsolis-nginx-'));
    this.child = null;
    this.exitCode = null;
  }

  get accessLog() {
    return join(this.dir, 'access.log');
  }

  // The lines of the access log as {request, status, upstream} records.
  requests() {
    let text;
    try {
      text = readFileSync(this.accessLog, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const match = /"([^"]*)" (\d{3}) .* upstream=(\S+)/.exec(line);
        return match ? { request: match[1], status: Number(match[2]), upstream: match[3] } : { line };
      });
  }

  async start() {
    // A certificate for 127.0.0.1, valid for two days.
    run('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
      '-keyout', join(this.dir, 'key.pem'), '-out', join(this.dir, 'cert.pem'),
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    ]);
    const source = readFileSync(join(REPO_ROOT, 'nginx/nginx.conf'), 'utf8');
    const config = join(this.dir, 'nginx.conf');
    writeFileSync(
      config,
      adaptConfig(source, {
        dir: this.dir,
        httpPort: this.httpPort,
        httpsPort: this.httpsPort,
        upstreamPorts: this.upstreamPorts,
      }),
    );
    const errorLog = join(this.dir, 'error.log');
    run(NGINX, ['-t', '-q', '-c', config, '-e', errorLog]);

    const log = openSync(join(this.dir, 'stderr.log'), 'w');
    try {
      this.child = spawn(NGINX, ['-c', config, '-e', errorLog, '-g', 'daemon off;'], {
        stdio: ['ignore', log, log],
      });
    } finally {
      closeSync(log);
    }
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitCode = code ?? signal;
        resolve();
      });
    });
    const child = this.child;
    process.once('exit', () => {
      if (this.exitCode === null) {
        child.kill('SIGKILL');
      }
    });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (this.exitCode !== null) {
        throw new Error(`nginx exited with ${this.exitCode}: ${readFileSync(errorLog, 'utf8')}`);
      }
      try {
        await fetch(`http://127.0.0.1:${this.httpPort}/`, { redirect: 'manual' });
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`nginx did not answer on port ${this.httpPort} within 10 s`);
  }

  async stop() {
    if (this.child && this.exitCode === null) {
      this.child.kill('SIGQUIT');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
