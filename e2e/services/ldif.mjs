#!/usr/bin/env node
// Prints the LDIF (RFC 2849) for the sample organisation in people.json: the base entry,
// the two OUs, one `user` entry per person and one `group` entry per group.
//
//   node ldif.mjs [people.json] > data.ldif
//
// Passwords are stored as salted SHA-1 ({SSHA}), which slapd checks on a simple bind.
// Load the output with ldapadd against a running slapd (not slapadd), because the memberof
// overlay only fills memberOf for entries added through the server.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DEFAULT_PEOPLE_FILE = fileURLToPath(new URL('./people.json', import.meta.url));

// Escapes one RDN value per RFC 4514 section 2.4. Non-ASCII letters stay as UTF-8.
// NOTE: slapd 2.5 returns such DNs (entry DNs, member, manager and memberOf values) with
// hex escapes instead, e.g. `Müller\2C Zoë` for `Müller\, Zoë`. Both forms are the same DN
// under RFC 4514, so clients must normalise DNs before comparing them as strings.
export function escapeDnValue(value) {
  let escaped = value.replace(/[\\",+;<>\0]/g, (c) => (c === '\0' ? '\\00' : `\\${c}`));
  escaped = escaped.replace(/^[ #]/, (c) => `\\${c}`);
  return escaped.replace(/ $/, '\\ ');
}

// An LDIF value must be base64 encoded unless it is a SAFE-STRING (RFC 2849): ASCII without
// NUL, CR or LF, not starting with a space, colon or '<'. A trailing space is encoded too,
// because many tools strip it.
function needsBase64(value) {
  return /[^\x01-\x09\x0b\x0c\x0e-\x7f]/.test(value) || /^[ :<]/.test(value) || / $/.test(value);
}

// Folds a line at 76 characters. Continuation lines start with one space.
function foldLine(line) {
  if (line.length <= 76) {
    return line;
  }
  const parts = [line.slice(0, 76)];
  for (let i = 76; i < line.length; i += 75) {
    parts.push(` ${line.slice(i, i + 75)}`);
  }
  return parts.join('\n');
}

function attributeLine(name, value) {
  const text = String(value);
  if (needsBase64(text)) {
    return foldLine(`${name}:: ${Buffer.from(text, 'utf8').toString('base64')}`);
  }
  return foldLine(`${name}: ${text}`);
}

function entry(dn, attributes) {
  const lines = [attributeLine('dn', dn)];
  for (const [name, value] of attributes) {
    if (value === null || value === undefined) {
      continue;
    }
    for (const item of Array.isArray(value) ? value : [value]) {
      lines.push(attributeLine(name, item));
    }
  }
  return `${lines.join('\n')}\n`;
}

export function hashPassword(password) {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password, 'utf8').update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

// Rejects data that would load into a directory that disagrees with people.json,
// such as a stored DN that does not match its cn or a manager who does not exist.
export function validateOrganisation(data) {
  const errors = [];
  const personDns = new Set(data.people.map((person) => person.dn));
  const groupNames = new Set(data.groups.map((group) => group.cn));
  const accountNames = new Set();

  for (const person of data.people) {
    const expectedDn = `cn=${escapeDnValue(person.cn)},${data.people_ou}`;
    if (person.dn !== expectedDn) {
      errors.push(`person ${person.sAMAccountName}: dn is "${person.dn}", expected "${expectedDn}"`);
    }
    const account = person.sAMAccountName.toLowerCase();
    if (accountNames.has(account)) {
      errors.push(`person ${person.sAMAccountName}: duplicate sAMAccountName`);
    }
    accountNames.add(account);
    if (person.manager !== null && !personDns.has(person.manager)) {
      errors.push(`person ${person.sAMAccountName}: manager "${person.manager}" is not a person`);
    }
    for (const group of person.groups) {
      if (!groupNames.has(group)) {
        errors.push(`person ${person.sAMAccountName}: group "${group}" is not defined in groups`);
      }
    }
  }
  for (const group of data.groups) {
    const expectedDn = `cn=${escapeDnValue(group.cn)},${data.groups_ou}`;
    if (group.dn !== expectedDn) {
      errors.push(`group ${group.cn}: dn is "${group.dn}", expected "${expectedDn}"`);
    }
  }
  if (errors.length > 0) {
    throw new Error(`invalid organisation data:\n  ${errors.join('\n  ')}`);
  }
}

function rdnValue(dn) {
  return dn.split(',')[0].split('=')[1];
}

export function buildLdif(data) {
  validateOrganisation(data);

  const entries = [
    entry(data.base_dn, [
      ['objectClass', ['top', 'dcObject', 'organization']],
      ['dc', rdnValue(data.base_dn)],
      ['o', 'Example Organisation'],
    ]),
    entry(data.people_ou, [
      ['objectClass', ['top', 'organizationalUnit']],
      ['ou', rdnValue(data.people_ou)],
    ]),
    entry(data.groups_ou, [
      ['objectClass', ['top', 'organizationalUnit']],
      ['ou', rdnValue(data.groups_ou)],
    ]),
  ];
  if (data.computers_ou) {
    entries.push(
      entry(data.computers_ou, [
        ['objectClass', ['top', 'organizationalUnit']],
        ['ou', rdnValue(data.computers_ou)],
      ]),
    );
  }

  for (const person of data.people) {
    entries.push(
      entry(person.dn, [
        ['objectClass', ['top', 'person', 'organizationalPerson', 'inetOrgPerson', 'user']],
        ['cn', person.cn],
        ['sn', person.sn],
        ['givenName', person.givenName],
        ['displayName', person.displayName],
        ['sAMAccountName', person.sAMAccountName],
        ['userPrincipalName', person.userPrincipalName],
        ['mail', person.mail],
        ['department', person.department],
        ['title', person.title],
        ['manager', person.manager],
        ['userAccountControl', person.userAccountControl],
        ['userPassword', hashPassword(person.password)],
      ]),
    );
  }

  for (const group of data.groups) {
    const members = data.people
      .filter((person) => person.groups.includes(group.cn))
      .map((person) => person.dn);
    entries.push(
      entry(group.dn, [
        ['objectClass', ['top', 'group']],
        ['cn', group.cn],
        ['sAMAccountName', group.sAMAccountName],
        ['description', group.description],
        ['groupType', group.groupType],
        ['member', members],
      ]),
    );
  }

  return entries.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2] || DEFAULT_PEOPLE_FILE;
  try {
    process.stdout.write(buildLdif(JSON.parse(readFileSync(file, 'utf8'))));
  } catch (error) {
    console.error(`ldif.mjs: cannot build LDIF from ${file}: ${error.message}`);
    process.exit(1);
  }
}
