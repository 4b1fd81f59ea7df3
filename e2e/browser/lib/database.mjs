// Creates the empty PostgreSQL database that the server under test migrates on start.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

// Drops NAME (closing its connections) and creates it again, through psql connected to
// ADMIN_URL. Returns the URL of the new database.
export async function recreateDatabase(adminUrl, name) {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    throw new Error(`invalid database name "${name}": use lower-case letters, digits and _`);
  }
  const statements = [`drop database if exists ${name} with (force)`, `create database ${name}`];
  for (const statement of statements) {
    try {
      await run('psql', [adminUrl, '-v', 'ON_ERROR_STOP=1', '-qc', statement]);
    } catch (error) {
      throw new Error(`psql failed on "${statement}" at ${adminUrl}: ${error.stderr || error.message}`);
    }
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

// Runs one SQL STATEMENT in the database at URL, for states that a test cannot reach through
// the app in its run time, such as a password changed long ago.
export async function runSql(url, statement) {
  try {
    await run('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qc', statement]);
  } catch (error) {
    throw new Error(`psql failed on "${statement}": ${error.stderr || error.message}`);
  }
}
