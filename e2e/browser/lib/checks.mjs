// Waits and reads that report what the page showed when they fail.
import assert from 'node:assert/strict';

import { WAIT_MS } from './config.mjs';

const POLL_MS = 200;

function matches(text, expected) {
  return expected instanceof RegExp ? expected.test(text) : text === expected;
}

// Calls CHECK until it returns a value other than undefined, and returns that value. CHECK
// returns undefined to try again. On timeout the error contains DESCRIPTION and the last
// `detail` that CHECK stored in its argument.
export async function waitUntil(description, check, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  const state = { detail: '' };
  for (;;) {
    const result = await check(state);
    if (result !== undefined) {
      return result;
    }
    if (Date.now() >= deadline) {
      const detail = state.detail ? ` (last seen: ${state.detail})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

// Waits until one of the elements of LOCATOR has the text EXPECTED (a string for an exact
// match after trimming, or a RegExp), and returns that text.
export async function expectText(locator, expected, description) {
  return waitUntil(`${description} to show ${expected}`, async (state) => {
    const texts = (await locator.allInnerTexts()).map((text) => text.trim());
    const quotedTexts = texts.map((text) => JSON.stringify(text)).join(', ');
    state.detail = quotedTexts || 'no such element';
    return texts.find((text) => matches(text, expected));
  });
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Returns the locator of the description (<dd>) that follows the term (<dt>) TERM in SCOPE.
export function fact(scope, term) {
  return scope
    .getByRole('term')
    .filter({ hasText: new RegExp(`^\\s*${escapeRegExp(term)}\\s*$`) })
    .locator('xpath=following-sibling::dd[1]');
}

// Reloads PAGE until the fact TERM reads EXPECTED, for pages that do not refresh themselves.
export async function reloadUntilFact(page, term, expected, description) {
  return waitUntil(`${description}: ${term} to be ${expected}`, async (state) => {
    await page.reload();
    const description = fact(page, term);
    try {
      await description.waitFor({ timeout: 5_000 });
    } catch {
      state.detail = `no "${term}" on ${page.url()}`;
      return undefined;
    }
    const text = (await description.innerText()).trim();
    state.detail = JSON.stringify(text);
    return matches(text, expected) ? text : undefined;
  });
}

// Returns the text of each entry of the page's Timeline section, oldest first.
export async function timelineItems(page) {
  const timeline = page
    .locator('section')
    .filter({ has: page.getByRole('heading', { name: 'Timeline', exact: true }) });
  return timeline.getByRole('listitem').allInnerTexts();
}

// Checks that the timeline has one entry per transition in EXPECTED, in that order.
export function assertTimeline(items, expected, where) {
  const allItems = JSON.stringify(items);
  assert.equal(items.length, expected.length, `${where} has ${expected.length} entries: ${allItems}`);
  expected.forEach((transition, index) => {
    const item = JSON.stringify(items[index]);
    assert.ok(items[index].includes(transition), `${where} entry ${index + 1} is "${transition}": ${item}`);
  });
}
