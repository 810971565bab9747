import { createHash } from 'node:crypto';

/**
 * A short, stable identifier the app can show ("which key is stored?") without revealing any of the
 * key: 64 bits of SHA-256. LLM API keys are long random strings, so this cannot be reversed; unlike
 * the usual "last four characters" it leaks no key material at all.
 */
export function keyFingerprint(apiKey: string): string {
  return `sha256:${createHash('sha256').update(apiKey, 'utf8').digest('hex').slice(0, 16)}`;
}
