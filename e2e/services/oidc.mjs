#!/usr/bin/env node
// OpenID Connect provider for local development and tests (oidc-provider 9.13.3). Its accounts
// are the people in people.json: they sign in with their sAMAccountName or userPrincipalName
// and their demo password on a plain HTML form, and consent is granted automatically because
// the only client is the first-party application.
//
// Environment (defaults in brackets):
//   OIDC_PORT [9090]                 TCP port on 127.0.0.1
//   OIDC_ISSUER [http://127.0.0.1:$OIDC_PORT]  issuer URL; its path must be "/"
//   OIDC_CLIENT_ID [ipsolis]         confidential client, client_secret_basic, PKCE S256 required
//   OIDC_CLIENT_SECRET [ipsolis-demo-secret]
//   OIDC_REDIRECT_URIS [http://127.0.0.1:8080/api/v1/portal/auth/callback]  comma separated
//   OIDC_POST_LOGOUT_REDIRECT_URIS []  comma separated, for RP-initiated logout
//   OIDC_JWKS_FILE []                signing key file. It is created on the first start and
//                                    keeps tokens valid across restarts. Without it, every
//                                    start creates a new key.
//
// The provider keeps sessions, codes and tokens in memory (its development adapter, which
// logs a warning at start), so a restart signs everybody out.
import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider, { errors } from 'oidc-provider';

const PEOPLE_FILE = new URL('./people.json', import.meta.url);
const MAX_FORM_BYTES = 64 * 1024;

function log(message) {
  console.log(`${new Date().toISOString()} oidc: ${message}`);
}

function fail(message) {
  console.error(`oidc: ${message}`);
  process.exit(1);
}

function listFromEnv(name, fallback) {
  return (process.env[name] ?? fallback)
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function readConfig() {
  const port = Number(process.env.OIDC_PORT || 9090);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    fail(`invalid OIDC_PORT "${process.env.OIDC_PORT}": expected a TCP port number`);
  }
  const issuer = process.env.OIDC_ISSUER || `http://127.0.0.1:${port}`;
  const issuerUrl = URL.canParse(issuer) ? new URL(issuer) : null;
  if (!issuerUrl || issuerUrl.pathname !== '/' || issuerUrl.search || issuerUrl.hash) {
    fail(`invalid OIDC_ISSUER "${issuer}": expected an http(s) URL without a path`);
  }
  const redirectUris = listFromEnv('OIDC_REDIRECT_URIS', 'http://127.0.0.1:8080/api/v1/portal/auth/callback');
  if (redirectUris.length === 0) {
    fail('OIDC_REDIRECT_URIS is empty: set at least one redirect URI');
  }
  return {
    port,
    // Without a trailing slash, because clients compare the iss claim with this string.
    issuer: issuer.replace(/\/$/, ''),
    clientId: process.env.OIDC_CLIENT_ID || 'ipsolis',
    clientSecret: process.env.OIDC_CLIENT_SECRET || 'ipsolis-demo-secret',
    redirectUris,
    postLogoutRedirectUris: listFromEnv('OIDC_POST_LOGOUT_REDIRECT_URIS', ''),
    jwksFile: process.env.OIDC_JWKS_FILE || '',
  };
}

function loadSigningKeys(file) {
  if (file && existsSync(file)) {
    return JSON.parse(readFileSync(file, 'utf8'));
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256' };
  jwk.kid = createHash('sha256').update(jwk.n).digest('base64url').slice(0, 16);
  const jwks = { keys: [jwk] };
  if (file) {
    writeFileSync(file, JSON.stringify(jwks), { mode: 0o600 });
  }
  return jwks;
}

// ---- accounts -------------------------------------------------------------------------------

function loadAccounts() {
  const { people } = JSON.parse(readFileSync(PEOPLE_FILE, 'utf8'));
  const bySubject = new Map();
  const byLoginName = new Map();
  for (const person of people) {
    bySubject.set(person.sAMAccountName, person);
    byLoginName.set(person.sAMAccountName.toLowerCase(), person);
    byLoginName.set(person.userPrincipalName.toLowerCase(), person);
  }
  return { bySubject, byLoginName };
}

// ACCOUNTDISABLE is the flag with value 2 in AD's userAccountControl.
function isDisabled(person) {
  return (person.userAccountControl & 2) !== 0;
}

// Hashing both sides gives equal lengths for timingSafeEqual.
function passwordMatches(submitted, stored) {
  const digest = (value) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(submitted), digest(stored));
}

function accountClaims(person) {
  return {
    sub: person.sAMAccountName,
    email: person.mail,
    email_verified: true,
    preferred_username: person.userPrincipalName,
    name: person.displayName,
    given_name: person.givenName,
    family_name: person.sn,
  };
}

// ---- HTML -----------------------------------------------------------------------------------

function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; background: #f4f5f7; margin: 0; }
main { max-width: 22rem; margin: 4rem auto; background: #fff; padding: 2rem; border-radius: 6px; box-shadow: 0 1px 3px #0003; }
h1 { font-size: 1.3rem; margin-top: 0; }
label { display: block; margin-top: 1rem; font-weight: 600; }
input { width: 100%; box-sizing: border-box; padding: 0.5rem; margin-top: 0.25rem; font-size: 1rem; }
button { margin-top: 1.5rem; width: 100%; padding: 0.6rem; font-size: 1rem; }
.error { color: #a40000; background: #fde8e8; padding: 0.5rem; border-radius: 4px; }
.hint { color: #555; font-size: 0.85rem; }
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function loginPage({ uid, clientId, username = '', error = '' }) {
  const errorHtml = error ? `<p class="error" role="alert">${escapeHtml(error)}</p>\n` : '';
  return page(
    'Sign in',
    `<h1>Sign in</h1>
<p class="hint">to continue to ${escapeHtml(clientId)}</p>
${errorHtml}<form method="post" action="/interaction/${encodeURIComponent(uid)}/login">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" required autofocus value="${escapeHtml(username)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<p class="hint">Username is the account name (jdoe) or the user principal name (jdoe@example.test).</p>`,
  );
}

function sendHtml(res, status, html) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}

// ---- interaction routes ---------------------------------------------------------------------

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) {
      throw new Error(`form body is larger than ${MAX_FORM_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// Grants what the consent prompt reports as missing, so the first-party client never shows
// a consent screen.
async function approveConsent(provider, details) {
  const { prompt, params, session } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });

  if (prompt.details.missingOIDCScope) {
    grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  }
  if (prompt.details.missingOIDCClaims) {
    grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  }
  for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  return grant.save();
}

async function showInteraction(provider, req, res, details) {
  if (details.prompt.name === 'login') {
    const username = details.params.login_hint || '';
    sendHtml(res, 200, loginPage({ uid: details.uid, clientId: details.params.client_id, username }));
    return;
  }
  if (details.prompt.name === 'consent') {
    const grantId = await approveConsent(provider, details);
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  throw new Error(`unsupported interaction prompt "${details.prompt.name}"`);
}

async function submitLogin(provider, accounts, req, res, details) {
  if (details.prompt.name !== 'login') {
    log(`sign-in form posted to interaction ${details.uid}, which waits for prompt "${details.prompt.name}"`);
    sendHtml(res, 400, page('Sign-in failed', '<h1>Sign-in failed</h1><p>This request does not expect a sign-in. Start again from the application.</p>'));
    return;
  }
  const form = await readForm(req);
  const username = (form.get('username') || '').trim();
  const password = form.get('password') || '';
  const person = accounts.byLoginName.get(username.toLowerCase());
  const clientId = details.params.client_id;

  if (!person || !passwordMatches(password, person.password)) {
    log(`sign-in failed for username "${username}": ${person ? 'wrong password' : 'unknown username'}`);
    sendHtml(res, 401, loginPage({ uid: details.uid, clientId, username, error: 'Invalid username or password.' }));
    return;
  }
  if (isDisabled(person)) {
    log(`sign-in rejected for ${person.sAMAccountName}: account is disabled`);
    sendHtml(res, 403, loginPage({ uid: details.uid, clientId, username, error: 'This account is disabled.' }));
    return;
  }
  log(`signed in ${person.sAMAccountName} for client ${clientId}`);
  // Consent follows as a second interaction, which showInteraction() approves.
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: person.sAMAccountName } },
    { mergeWithLastSubmission: false },
  );
}

async function handleInteraction(provider, accounts, req, res, uid, action) {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (error) {
    if (error instanceof errors.SessionNotFound) {
      log(`interaction ${uid} not found: ${error.error_description}`);
      sendHtml(res, 400, page('Sign-in expired', '<h1>Sign-in expired</h1><p>This sign-in request has expired or its cookie is missing. Start again from the application.</p>'));
      return;
    }
    throw error;
  }
  // The interaction cookie decides which request is continued, so a stale tab must not
  // finish a newer request.
  if (details.uid !== uid) {
    log(`interaction ${uid} requested, but the cookie belongs to interaction ${details.uid}`);
    sendHtml(res, 400, page('Sign-in expired', '<h1>Sign-in expired</h1><p>This page belongs to an older sign-in request. Start again from the application.</p>'));
    return;
  }
  if (action === 'login' && req.method === 'POST') {
    await submitLogin(provider, accounts, req, res, details);
  } else if (!action && req.method === 'GET') {
    await showInteraction(provider, req, res, details);
  } else {
    log(`interaction ${uid}: method ${req.method} is not allowed`);
    res.statusCode = 405;
    res.end();
  }
}

// ---- provider -------------------------------------------------------------------------------

function simplePage(title, text) {
  return async (ctx) => {
    ctx.type = 'html';
    ctx.body = page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>`);
  };
}

function createProvider(config, accounts) {
  return new Provider(config.issuer, {
    clients: [
      {
        client_id: config.clientId,
        client_secret: config.clientSecret,
        redirect_uris: config.redirectUris,
        post_logout_redirect_uris: config.postLogoutRedirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    },
    // Puts the scope claims into the ID token too, not only into the userinfo response.
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      const person = accounts.bySubject.get(sub);
      if (!person) {
        return undefined;
      }
      return { accountId: sub, claims: async () => accountClaims(person) };
    },
    jwks: loadSigningKeys(config.jwksFile),
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    clientBasedCORS: () => false,
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.type = 'html';
          ctx.body = page(
            'Sign out',
            `<h1>Sign out?</h1>${form}<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button>`,
          );
        },
        postLogoutSuccessSource: simplePage('Signed out', 'You have been signed out.'),
      },
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      const lines = Object.entries(out).map(([key, value]) => `<p><strong>${escapeHtml(key)}</strong>: ${escapeHtml(value)}</p>`);
      ctx.body = page('Sign-in error', `<h1>Sign-in error</h1>${lines.join('')}`);
    },
    ttl: {
      AccessToken: 60 * 60,
      AuthorizationCode: 60,
      IdToken: 60 * 60,
      RefreshToken: 24 * 60 * 60,
      Interaction: 60 * 60,
      Session: 8 * 60 * 60,
      Grant: 8 * 60 * 60,
    },
  });
}

function logProviderErrors(provider) {
  const events = [
    'server_error',
    'authorization.error',
    'grant.error',
    'userinfo.error',
    'end_session.error',
    'revocation.error',
    'introspection.error',
  ];
  for (const event of events) {
    provider.on(event, (ctx, error) => {
      const detail = error.error_description || error.message;
      const cause = error.cause ? ` (${error.cause.message})` : '';
      log(`${event} on ${ctx.method} ${ctx.path}: ${error.error || error.name}: ${detail}${cause}`);
    });
  }
}

function main() {
  const config = readConfig();
  const accounts = loadAccounts();
  const provider = createProvider(config, accounts);
  logProviderErrors(provider);
  const providerHandler = provider.callback();

  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://127.0.0.1');
    const match = /^\/interaction\/([^/]+)(?:\/(login))?$/.exec(pathname);
    if (!match) {
      providerHandler(req, res);
      return;
    }
    handleInteraction(provider, accounts, req, res, match[1], match[2]).catch((error) => {
      log(`interaction ${match[1]} failed: ${error.stack || error}`);
      if (!res.headersSent) {
        sendHtml(res, 500, page('Sign-in error', '<h1>Sign-in error</h1><p>The identity provider failed. See its log.</p>'));
      }
    });
  });

  server.on('error', (error) => {
    if (error.code === 'EADDRINUSE') {
      fail(`port ${config.port} on 127.0.0.1 is already in use: stop that process or set OIDC_PORT`);
    }
    fail(`server error: ${error.message}`);
  });
  server.listen(config.port, '127.0.0.1', () => {
    log(`provider ${config.issuer} listening on 127.0.0.1:${config.port}, client ${config.clientId}, ` +
      `redirect URIs ${config.redirectUris.join(' ')}, ${accounts.bySubject.size} accounts`);
  });

  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      log(`stopping on ${signal}`);
      server.close(() => process.exit(0));
      server.closeAllConnections();
    });
  }
}

main();
