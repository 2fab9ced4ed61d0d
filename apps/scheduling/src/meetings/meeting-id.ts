import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * A new meeting id: `mtg_` and 128 random bits in lowercase base32 (26 characters). Meeting pages
 * and invites are linked from emails, so the id must not be guessable from another one.
 */
export function newMeetingId(): string {
  const bytes = randomBytes(16);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return `mtg_${out}`;
}

export const MEETING_ID_PATTERN = /^mtg_[a-z2-7]{26}$/;
