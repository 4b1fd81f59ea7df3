// Time-based one-time passwords as authenticator apps compute them: RFC 6238 over RFC 4226
// HOTP with HMAC-SHA1 and 30-second steps counted from the Unix epoch.
import { createHmac } from 'node:crypto';

export const STEP_SECONDS = 30;

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

// Decodes RFC 4648 base32 TEXT into a Buffer. Letter case, spaces and '=' padding are ignored,
// because secrets are often shown in lower case or in groups.
export function decodeBase32(text) {
  const characters = text.toUpperCase().replace(/[\s=]/g, '');
  const bytes = [];
  let buffer = 0;
  let bits = 0;
  for (const character of characters) {
    const value = BASE32_ALPHABET.indexOf(character);
    if (value === -1) {
      throw new Error(`invalid base32 character "${character}" in "${text}"`);
    }
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

// Returns the time step (RFC 6238 "T") that contains UNIX_SECONDS.
export function timeStep(unixSeconds) {
  return Math.floor(unixSeconds / STEP_SECONDS);
}

// Returns the HOTP code of SECRET (a Buffer) for COUNTER, as DIGITS decimal digits.
export function hotp(secret, counter, digits = 6) {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = createHmac('sha1', secret).update(message).digest();
  // Dynamic truncation (RFC 4226, section 5.3): the low four bits of the last byte pick the
  // offset of a 31-bit number.
  const offset = digest[digest.length - 1] & 0x0f;
  const number = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(number % 10 ** digits).padStart(digits, '0');
}

// Returns the TOTP code of SECRET (a Buffer) at UNIX_SECONDS, by default now.
export function totp(secret, unixSeconds = Date.now() / 1000, digits = 6) {
  return hotp(secret, timeStep(unixSeconds), digits);
}
