// Reads the mail that the server sent to the maildev SMTP sink, through its REST API
// (maildev 3: GET /api/email returns every stored message as a JSON array).
import { WAIT_MS } from './config.mjs';

const POLL_MS = 250;

async function allMail(apiUrl) {
  const response = await fetch(apiUrl, { headers: { Accept: 'application/json' } });
  if (!response.ok) {
    throw new Error(`GET ${apiUrl} returned ${response.status}: ${await response.text()}`);
  }
  return response.json();
}

function isAddressedTo(mail, address) {
  return (mail.to ?? []).some((recipient) => recipient.address?.toLowerCase() === address.toLowerCase());
}

// Waits until a message to ADDRESS whose subject equals SUBJECT, and whose text contains
// CONTAINS when given, arrives, and returns it. The subjects of the tests contain a random
// asset name, so earlier runs cannot match.
export async function waitForMail(apiUrl, { to, subject, contains = '', timeoutMs = WAIT_MS }) {
  const deadline = Date.now() + timeoutMs;
  let subjectsSeen = [];
  while (Date.now() < deadline) {
    const messages = (await allMail(apiUrl)).filter((mail) => isAddressedTo(mail, to));
    const match = messages.find((mail) => mail.subject === subject && (mail.text ?? '').includes(contains));
    if (match) {
      return match;
    }
    subjectsSeen = messages.map((mail) => mail.subject);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const recent = subjectsSeen.slice(-5).map((text) => `"${text}"`).join(', ') || 'none';
  throw new Error(
    `no mail to ${to} with subject "${subject}" arrived within ${timeoutMs} ms ` +
      `(latest subjects to that address: ${recent})`,
  );
}

// Returns the URL on the line "LABEL: <url>" of a plain-text mail body.
export function linkAfterLabel(text, label) {
  const match = new RegExp(`^${label}: (\\S+)`, 'm').exec(text ?? '');
  if (!match) {
    throw new Error(`the mail text has no "${label}: <url>" line:\n${text}`);
  }
  return match[1];
}
