// Directory checks through the OpenLDAP command-line tools (ldap-utils), bound as the test
// directory's administrator.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class Directory {
  constructor({ url, baseDn, bindDn, bindPassword }) {
    this.url = url;
    this.baseDn = baseDn;
    this.bindDn = bindDn;
    // The tools read the password from a file (-y), so it never shows in the process list.
    this.secretDir = mkdtempSync(join(tmpdir(), 'ipsolis-e2e-ldap-'));
    this.passwordFile = join(this.secretDir, 'bind.pw');
    writeFileSync(this.passwordFile, bindPassword, { mode: 0o600 });
  }

  bindArgs() {
    return ['-x', '-H', this.url, '-D', this.bindDn, '-y', this.passwordFile];
  }

  // Creates an empty `group` entry under ou=Groups whose cn is LABEL plus a random suffix,
  // and returns its DN.
  async createGroup(label) {
    const cn = `${label} ${randomBytes(4).toString('hex')}`;
    const dn = `cn=${cn},ou=Groups,${this.baseDn}`;
    const ldif = `dn: ${dn}\nobjectClass: top\nobjectClass: group\ncn: ${cn}\n`;
    await this.add(ldif);
    return dn;
  }

  async deleteEntry(dn) {
    try {
      await run('ldapdelete', [...this.bindArgs(), dn]);
    } catch (error) {
      throw new Error(`ldapdelete of ${dn} failed: ${error.stderr || error.message}`);
    }
  }

  // Returns the `member` values of the entry at GROUP_DN.
  async members(groupDn) {
    let output;
    try {
      ({ stdout: output } = await run('ldapsearch', [
        ...this.bindArgs(),
        '-LLL',
        '-o',
        'ldif-wrap=no',
        '-s',
        'base',
        '-b',
        groupDn,
        '(objectClass=*)',
        'member',
      ]));
    } catch (error) {
      throw new Error(`ldapsearch of ${groupDn} failed: ${error.stderr || error.message}`);
    }
    return parseValues(output, 'member');
  }

  // Adds the entries of LDIF through ldapadd, which reads them on stdin.
  async add(ldif) {
    await new Promise((resolve, reject) => {
      const child = spawn('ldapadd', this.bindArgs(), { stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) {
          resolve();
        } else {
          reject(new Error(`ldapadd exited with code ${code}: ${stderr.trim()}\nLDIF:\n${ldif}`));
        }
      });
      child.stdin.end(ldif);
    });
  }

  close() {
    rmSync(this.secretDir, { recursive: true, force: true });
  }
}

// Reads the values of ATTRIBUTE from unwrapped LDIF, decoding base64 values (`name:: …`).
function parseValues(ldif, attribute) {
  const values = [];
  const prefix = `${attribute.toLowerCase()}:`;
  for (const line of ldif.split('\n')) {
    if (!line.toLowerCase().startsWith(prefix)) {
      continue;
    }
    const rest = line.slice(prefix.length);
    if (rest.startsWith(':')) {
      values.push(Buffer.from(rest.slice(1).trim(), 'base64').toString('utf8'));
    } else {
      values.push(rest.trim());
    }
  }
  return values;
}

// Compares two DNs that differ at most in letter case and spaces after commas, which is
// enough for the ASCII DNs of the sample organisation.
// NOTE: this is not full RFC 4514 matching, so escaped or non-ASCII values may compare as different.
export function sameDn(left, right) {
  const normalise = (dn) => dn.split(',').map((part) => part.trim().toLowerCase()).join(',');
  return normalise(left) === normalise(right);
}
