// Two-factor sign-in in one Chromium. The first administrator turns it on from My account with
// codes computed here from the secret the page shows, signs in with a code from the "app" and
// with a recovery code, and turns it off again with the password.
//
//   cd e2e && node --test browser/totp.test.mjs
//
// Needs the same services, builds, database name and port as path.test.mjs. Waits up to one
// 30-second step, because the server accepts each authenticator code only once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { expectText, fact, waitUntil } from './lib/checks.mjs';
import { ADMIN, createFirstAdmin, followNavLink, signInToAdmin, signOutOfAdmin } from './lib/flows.mjs';
import { TestRun } from './lib/run.mjs';
import { STEP_SECONDS, decodeBase32, hotp, timeStep, totp } from './lib/totp.mjs';

const exact = { exact: true };

const WRONG_CODE = /The authentication code is wrong or was already used\./;

function mainNav(page) {
  return page.getByRole('navigation', { name: 'Main', ...exact });
}

function twoFactorSection(page) {
  return page.getByRole('region', { name: 'Two-factor sign-in', ...exact });
}

function nowSeconds() {
  return Date.now() / 1000;
}

// Returns a six-digit code that the server must reject: it matches neither the steps the
// server accepts now (one step of drift either way) nor the step after them, which may have
// begun by the time the request arrives.
function wrongCode(secret) {
  const step = timeStep(nowSeconds());
  const accepted = new Set([step - 1, step, step + 1, step + 2].map((counter) => hotp(secret, counter)));
  for (let candidate = 0; ; candidate += 1) {
    const code = String(candidate).padStart(6, '0');
    if (!accepted.has(code)) {
      return code;
    }
  }
}

// Waits until a time step after USED_STEP begins and returns its code, the one an
// authenticator app shows then.
async function codeAfterStep(secret, usedStep) {
  const timeoutMs = (STEP_SECONDS + 5) * 1000;
  await waitUntil(`a time step after ${usedStep}`, async (state) => {
    const step = timeStep(nowSeconds());
    state.detail = `step ${step}`;
    return step > usedStep ? step : undefined;
  }, timeoutMs);
  return totp(secret, nowSeconds());
}

// Fills the sign-in form with the admin's password and waits for the code field that an
// account with two-factor sign-in needs. Returns that field.
async function signInUntilCodeField(page) {
  await page.getByRole('heading', { name: 'Sign in', ...exact }).waitFor();
  await page.getByLabel('Username', exact).fill(ADMIN.username);
  await page.getByLabel('Password', exact).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in', ...exact }).click();
  const codeField = page.getByLabel('Authentication code', exact);
  await codeField.waitFor();
  return codeField;
}

async function submitCode(page, code) {
  await page.getByLabel('Authentication code', exact).fill(code);
  await page.getByRole('button', { name: 'Verify', ...exact }).click();
}

async function openMyAccount(page) {
  await followNavLink(page, 'My account');
  await page.getByRole('heading', { name: 'My account', ...exact }).waitFor();
  return twoFactorSection(page);
}

test('totp codes match RFC 6238 vectors', () => {
  // RFC 6238, appendix B: the SHA-1 seed is the ASCII string below, codes have eight digits.
  const secret = Buffer.from('12345678901234567890', 'ascii');
  assert.equal(totp(secret, 59, 8), '94287082', 'the eight-digit code at 59 s');
  assert.equal(totp(secret, 1111111109, 8), '07081804', 'the eight-digit code at 1111111109 s');
  assert.equal(totp(secret, 59), '287082', 'the six-digit code at 59 s keeps the last six digits');
  const base32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  assert.deepEqual(decodeBase32(base32), secret, 'the base32 form of the seed');
  assert.deepEqual(decodeBase32('gezd gnbv gy3t qojq gezd gnbv gy3t qojq'), secret, 'grouped lower case');
});

describe('two-factor sign-in', () => {
  const run = new TestRun('totp');
  run.hooks();

  let secret;
  let confirmedStep;
  let signInCode;
  let recoveryCodes;

  run.step('first administrator is created', async () => {
    const admin = await run.page('admin');
    await createFirstAdmin(admin);
  });

  run.step('admin turns on two-factor sign-in', async () => {
    const page = await run.page('admin');
    const section = await openMyAccount(page);
    await expectText(fact(section, 'Status'), 'Off', 'the two-factor status before the setup');
    await section.getByRole('button', { name: 'Set up two-factor sign-in', ...exact }).click();

    const shownSecret = await expectText(
      fact(section, 'Secret key'),
      /^([A-Z2-7]{4} )*[A-Z2-7]{1,4}$/,
      'the secret key in groups of four',
    );
    const plainSecret = shownSecret.replace(/ /g, '');
    secret = decodeBase32(plainSecret);
    assert.equal(secret.length, 20, 'the secret has 160 bits');

    const link = fact(section, 'Setup link').getByRole('link');
    const href = await link.getAttribute('href');
    const setupUrl = new URL(href);
    assert.equal(setupUrl.protocol, 'otpauth:', `the setup link ${href} is an otpauth URI`);
    assert.equal(setupUrl.host, 'totp', `the setup link ${href} is for TOTP`);
    assert.equal(setupUrl.searchParams.get('secret'), plainSecret, 'the setup link has the shown secret');
    assert.equal((await link.innerText()).trim(), href, 'the setup link shows its address');

    const codeField = section.getByLabel('Code from your app', exact);
    assert.equal(await codeField.getAttribute('autocomplete'), 'one-time-code', 'the code field autocomplete');
    const turnOn = section.getByRole('button', { name: 'Turn on two-factor sign-in', ...exact });

    // A wrong code leaves two-factor sign-in off.
    await codeField.fill(wrongCode(secret));
    await turnOn.click();
    const mismatch = 'does not match; enter the current code from the app';
    await expectText(section.locator('.field-error'), mismatch, 'the wrong setup code error');
    await expectText(fact(section, 'Status'), 'Off', 'the two-factor status after a wrong code');

    const now = nowSeconds();
    confirmedStep = timeStep(now);
    await codeField.fill(totp(secret, now));
    await turnOn.click();

    await expectText(fact(section, 'Status'), 'On', 'the two-factor status after the setup');
    await expectText(
      section.getByRole('status'),
      'Two-factor sign-in is on. Sign-in now asks for a code from your app.',
      'the setup result',
    );
    const codesRegion = section.getByRole('region', { name: 'Recovery codes', ...exact });
    const codeItems = codesRegion.getByRole('listitem');
    await codeItems.first().waitFor();
    const codes = (await codeItems.allInnerTexts()).map((text) => text.trim());
    assert.equal(codes.length, 10, `ten recovery codes: ${JSON.stringify(codes)}`);
    assert.equal(new Set(codes).size, 10, `the recovery codes differ: ${JSON.stringify(codes)}`);
    for (const code of codes) {
      assert.match(code, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/, 'a recovery code');
    }
    await codesRegion.getByText('shows them only once', { exact: false }).waitFor();
    recoveryCodes = codes;

    const turnOff = section.getByRole('button', { name: 'Turn off two-factor sign-in', ...exact });
    await turnOff.waitFor();
    assert.equal(
      await section.getByRole('button', { name: 'Set up two-factor sign-in', ...exact }).count(),
      0,
      'the setup button is gone once two-factor sign-in is on',
    );

    // The session from the server reports the change, and the codes are not shown again.
    await page.reload();
    await expectText(fact(twoFactorSection(page), 'Status'), 'On', 'the two-factor status after a reload');
    assert.equal(
      await page.getByRole('region', { name: 'Recovery codes', ...exact }).count(),
      0,
      'the recovery codes are gone after a reload',
    );
  });

  run.step('sign-in asks for the authentication code', async () => {
    const page = await run.page('admin');
    await signOutOfAdmin(page);

    const codeField = await signInUntilCodeField(page);
    assert.equal(await codeField.getAttribute('autocomplete'), 'one-time-code', 'the code field autocomplete');
    assert.equal(await page.getByLabel('Password', exact).count(), 0, 'the password field is hidden');
    await page.getByText(ADMIN.username, exact).waitFor();
    assert.equal(await page.getByRole('alert').count(), 0, 'asking for the code shows no error');

    await submitCode(page, wrongCode(secret));
    await expectText(page.getByRole('alert'), WRONG_CODE, 'the wrong code error');
    assert.equal(await codeField.inputValue(), '', 'the wrong code is cleared');

    signInCode = await codeAfterStep(secret, confirmedStep);
    await submitCode(page, signInCode);
    await mainNav(page).getByText(ADMIN.username, exact).waitFor();
    const section = await openMyAccount(page);
    await expectText(fact(section, 'Status'), 'On', 'the two-factor status after signing in with a code');
  });

  run.step('authenticator code works only once', async () => {
    const page = await run.page('admin');
    await signOutOfAdmin(page);

    await signInUntilCodeField(page);
    await submitCode(page, signInCode);
    await expectText(page.getByRole('alert'), WRONG_CODE, 'the reused code error');

    // The form starts over with empty fields.
    await page.getByRole('button', { name: 'Use another account', ...exact }).click();
    await page.getByLabel('Username', exact).waitFor();
    assert.equal(await page.getByLabel('Password', exact).inputValue(), '', 'the password is cleared');
    assert.equal(await page.getByLabel('Authentication code', exact).count(), 0, 'the code field is gone');
  });

  run.step('recovery code signs in once', async () => {
    const page = await run.page('admin');
    await signInUntilCodeField(page);
    await submitCode(page, recoveryCodes[3]);
    await mainNav(page).getByText(ADMIN.username, exact).waitFor();

    await signOutOfAdmin(page);
    await signInUntilCodeField(page);
    await submitCode(page, recoveryCodes[3]);
    await expectText(page.getByRole('alert'), WRONG_CODE, 'the reused recovery code error');

    // Another recovery code still works, and recovery codes ignore letter case.
    await submitCode(page, recoveryCodes[7].toUpperCase());
    await mainNav(page).getByText(ADMIN.username, exact).waitFor();
  });

  run.step('admin turns off two-factor sign-in', async () => {
    const page = await run.page('admin');
    const section = await openMyAccount(page);
    const password = section.getByLabel('Current password', exact);
    const turnOff = section.getByRole('button', { name: 'Turn off two-factor sign-in', ...exact });

    await password.fill('not-the-password-1');
    await turnOff.click();
    await expectText(section.getByRole('alert'), /The password is wrong\./, 'the wrong password error');
    await expectText(fact(section, 'Status'), 'On', 'the two-factor status after a wrong password');

    await password.fill(ADMIN.password);
    await turnOff.click();
    await expectText(fact(section, 'Status'), 'Off', 'the two-factor status after turning it off');
    await expectText(
      section.getByRole('status'),
      'Two-factor sign-in is off. Sign-in asks only for the password.',
      'the turn-off result',
    );
    await section.getByRole('button', { name: 'Set up two-factor sign-in', ...exact }).waitFor();
  });

  run.step('sign-in needs only the password again', async () => {
    const page = await run.page('admin');
    await signOutOfAdmin(page);
    await signInToAdmin(page, ADMIN);
    assert.equal(await page.getByLabel('Authentication code', exact).count(), 0, 'no code field');
    const section = await openMyAccount(page);
    await expectText(fact(section, 'Status'), 'Off', 'the two-factor status after signing in');
  });
});
