import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { open, seal } from '../../src/crypto/aes-gcm.js';
import {
  DecryptionRefusedError,
  KekVersionRetiredError,
  KekVersionUnknownError,
} from '../../src/crypto/crypto-errors.js';
import { EnvelopeCipher, type StoredEnvelope } from '../../src/keys/envelope-cipher.js';
import { SecretString } from '../../src/crypto/secret-string.js';
import { DataKeyCache } from '../../src/kek/data-key-cache.js';
import { generateLocalKeyRing, LocalKeyRing } from '../../src/kek/local-key-ring.js';

const context = { tenantId: 'tenant-a', provider: 'openai', keyVersion: 3 };
const secret = 'sk-proj-THIS-IS-THE-PLAINTEXT-0123456789abcdef';

function cipherWith(ring = new LocalKeyRing(generateLocalKeyRing([1]))) {
  return { ring, cipher: new EnvelopeCipher(ring, new DataKeyCache(ring, { ttlMs: 0 })) };
}

async function expectRefused(promise: Promise<unknown>, type: string): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error, 'decryption should have been refused').toBeInstanceOf(Error);
  expect((error as unknown as { type: string }).type).toBe(type);
  expect(error?.message).not.toContain(secret);
  return error as Error;
}

function flip(buffer: Buffer, index: number): Buffer {
  const copy = Buffer.from(buffer);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

describe('envelope encryption', () => {
  it('should round-trip a secret', async () => {
    const { cipher } = cipherWith();
    const envelope = await cipher.encrypt(secret, context);
    expect((await cipher.decrypt(envelope, context)).reveal()).toBe(secret);
  });

  it('should produce a different data key, nonce and ciphertext for the same secret each time', async () => {
    const { cipher } = cipherWith();
    const a = await cipher.encrypt(secret, context);
    const b = await cipher.encrypt(secret, context);
    expect(a.wrappedDek.equals(b.wrappedDek)).toBe(false);
    expect(a.nonce.equals(b.nonce)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
  });

  it('should use 96-bit nonces and 128-bit tags and never repeat a nonce over 20000 encryptions', () => {
    const key = Buffer.alloc(32, 7);
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i += 1) {
      const box = seal(key, Buffer.from('x'), Buffer.from('aad'));
      expect(box.nonce.length).toBe(12);
      expect(box.tag.length).toBe(16);
      seen.add(box.nonce.toString('hex'));
    }
    expect(seen.size).toBe(20_000);
  });

  it('should refuse every single-byte change of nonce, ciphertext, tag and wrapped data key', async () => {
    const { cipher } = cipherWith();
    const envelope = await cipher.encrypt(secret, context);
    const fields = ['nonce', 'ciphertext', 'tag', 'wrappedDek'] as const;
    let attempts = 0;
    for (const field of fields) {
      for (let i = 0; i < envelope[field].length; i += 1) {
        const tampered: StoredEnvelope = { ...envelope, [field]: flip(envelope[field], i) };
        await expectRefused(cipher.decrypt(tampered, context), 'decryption_refused');
        attempts += 1;
      }
    }
    expect(attempts).toBe(12 + secret.length + 16 + (12 + 32 + 16));
  });

  it('should refuse a tag truncated to any shorter length (Node would accept a short tag without authTagLength)', async () => {
    const { cipher } = cipherWith();
    const envelope = await cipher.encrypt(secret, context);
    for (let length = 0; length < 16; length += 1) {
      await expectRefused(
        cipher.decrypt({ ...envelope, tag: envelope.tag.subarray(0, length) }, context),
        'decryption_refused',
      );
    }
  });

  it('should refuse a 4-byte tag prefix at the AES-GCM layer too', () => {
    const key = Buffer.alloc(32, 1);
    const box = seal(key, Buffer.from(secret), Buffer.from('aad'));
    expect(() => open(key, { ...box, tag: box.tag.subarray(0, 4) }, Buffer.from('aad'))).toThrow(
      DecryptionRefusedError,
    );
  });

  it.each([
    ['another tenant', { ...context, tenantId: 'tenant-b' }],
    ['another provider', { ...context, provider: 'anthropic' }],
    ['an older key version (rollback)', { ...context, keyVersion: 2 }],
    ['a newer key version', { ...context, keyVersion: 4 }],
  ])('should refuse to decrypt under the associated data of %s', async (_label, wrongContext) => {
    const { cipher } = cipherWith();
    const envelope = await cipher.encrypt(secret, context);
    await expectRefused(cipher.decrypt(envelope, wrongContext), 'decryption_refused');
  });

  it('should refuse an envelope labelled with a KEK version the ring does not have', async () => {
    const { cipher } = cipherWith();
    const envelope = await cipher.encrypt(secret, context);
    const error = await expectRefused(
      cipher.decrypt({ ...envelope, kekVersion: 9 }, context),
      'kek_version_unknown',
    );
    expect(error).toBeInstanceOf(KekVersionUnknownError);
  });

  it('should refuse a data key wrapped under a KEK version below the minimum decryption version', async () => {
    const file = generateLocalKeyRing([1, 2]);
    const old = new LocalKeyRing({ ...file, currentVersion: 1, minimumDecryptionVersion: 1 });
    const envelope = await cipherWith(old).cipher.encrypt(secret, context);
    const raised = new LocalKeyRing({ ...file, currentVersion: 2, minimumDecryptionVersion: 2 });
    const error = await expectRefused(
      cipherWith(raised).cipher.decrypt(envelope, context),
      'kek_version_retired',
    );
    expect(error).toBeInstanceOf(KekVersionRetiredError);
  });

  it('should refuse a wrapped data key relabelled with another existing KEK version', async () => {
    const file = generateLocalKeyRing([1, 2]);
    const { cipher } = cipherWith(new LocalKeyRing(file));
    const envelope = await cipher.encrypt(secret, context);
    await expectRefused(cipher.decrypt({ ...envelope, kekVersion: 1 }, context), 'decryption_refused');
  });

  it('should refuse a cached data key once its KEK version is retired', async () => {
    const file = generateLocalKeyRing([1, 2]);
    const ring = new LocalKeyRing({ ...file, currentVersion: 1 });
    const cache = new DataKeyCache(ring, { ttlMs: 60_000 });
    const envelope = await new EnvelopeCipher(ring, cache).encrypt(secret, context);
    const raised = new LocalKeyRing({ ...file, currentVersion: 2, minimumDecryptionVersion: 2 });
    // Same cache contents, new ring rules: the hit must not bypass the minimum version.
    const cacheOnRaised = new DataKeyCache(raised, { ttlMs: 60_000 });
    await expectRefused(
      new EnvelopeCipher(raised, cacheOnRaised).decrypt(envelope, context),
      'kek_version_retired',
    );
  });

  it('should keep the plaintext out of JSON, inspect and string conversion of the secret holder', () => {
    const held = new SecretString(secret);
    expect(JSON.stringify({ held })).not.toContain(secret);
    expect(inspect({ held })).not.toContain(secret);
    expect(`${String(held)}`).not.toContain(secret);
    expect(held.reveal()).toBe(secret);
  });
});
