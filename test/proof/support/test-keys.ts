/**
 * Tenant keys for the proof tests: random, provider-shaped, and random from their very first character, so
 * that no 8-character window of one (not even the `sk-` prefix plus a few characters) is a common string that
 * could appear in a log or a page by chance. A leak-scan hit can therefore only be a real leak.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

export function randomTenantKey(length = 48): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}
