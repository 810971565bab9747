import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { KEY_BYTES, open, packBox, seal, unpackBox } from '../crypto/aes-gcm.js';
import { KekVersionRetiredError, KekVersionUnknownError } from '../crypto/crypto-errors.js';
import type { GeneratedDataKey, KekProvider, KeyContext, RewrappedDataKey } from './kek-provider.js';
import { associatedData, dataKeyRoundTrips } from './kek-provider.js';

const base64Key = z
  .string()
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64')
  .refine((value) => Buffer.from(value, 'base64').length === KEY_BYTES, 'must decode to 32 bytes');

/**
 * The local KEK file: a JSON key ring mounted from outside the image (a file, never an env var).
 * `{"currentVersion": 2, "minimumDecryptionVersion": 1, "keys": [{"version": 1, "key": "<base64>"}, ...]}`
 */
export const localKeyRingSchema = z
  .object({
    currentVersion: z.int().positive(),
    minimumDecryptionVersion: z.int().positive(),
    keys: z.array(z.object({ version: z.int().positive(), key: base64Key }).strict()).min(1),
  })
  .strict()
  .refine((ring) => ring.keys.some((k) => k.version === ring.currentVersion), {
    message: 'currentVersion must be one of keys[].version',
  })
  .refine((ring) => ring.minimumDecryptionVersion <= ring.currentVersion, {
    message: 'minimumDecryptionVersion must not exceed currentVersion',
  })
  .refine((ring) => new Set(ring.keys.map((k) => k.version)).size === ring.keys.length, {
    message: 'keys[].version must be unique',
  });

export type LocalKeyRingFile = z.infer<typeof localKeyRingSchema>;

export class LocalKeyRingFileError extends Error {
  readonly type = 'local_key_ring_invalid' as const;
  constructor(detail: string) {
    super(`local KEK file is invalid: ${detail}`);
    this.name = 'LocalKeyRingFileError';
  }
}

/** Development and test KEK: AES-256-GCM key wrapping with keys from a mounted key ring file. */
export class LocalKeyRing implements KekProvider {
  readonly kind = 'local' as const;
  readonly currentVersion: number;
  readonly minimumDecryptionVersion: number;
  readonly #keys: ReadonlyMap<number, Buffer>;

  constructor(ring: LocalKeyRingFile) {
    this.currentVersion = ring.currentVersion;
    this.minimumDecryptionVersion = ring.minimumDecryptionVersion;
    this.#keys = new Map(ring.keys.map((k) => [k.version, Buffer.from(k.key, 'base64')]));
  }

  static async fromFile(path: string): Promise<LocalKeyRing> {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new LocalKeyRingFileError(code ? `cannot read (${code})` : 'not valid JSON');
    }
    const parsed = localKeyRingSchema.safeParse(raw);
    if (!parsed.success) {
      // Issue paths and messages only: zod does not echo the key material in them.
      throw new LocalKeyRingFileError(
        parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
      );
    }
    return new LocalKeyRing(parsed.data);
  }

  assertDecryptable(kekVersion: number): void {
    if (!this.#keys.has(kekVersion)) throw new KekVersionUnknownError(kekVersion);
    if (kekVersion < this.minimumDecryptionVersion) {
      throw new KekVersionRetiredError(kekVersion, this.minimumDecryptionVersion);
    }
  }

  generateDataKey(context: KeyContext): Promise<GeneratedDataKey> {
    const plaintext = randomBytes(KEY_BYTES);
    return Promise.resolve({
      plaintext,
      wrapped: this.#wrap(plaintext, this.currentVersion, context),
      kekVersion: this.currentVersion,
    });
  }

  unwrapDataKey(wrapped: Buffer, kekVersion: number, context: KeyContext): Promise<Buffer> {
    try {
      this.assertDecryptable(kekVersion);
      return Promise.resolve(open(this.#key(kekVersion), unpackBox(wrapped), this.#aad(kekVersion, context)));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error('data key unwrap failed'));
    }
  }

  async rewrapDataKey(wrapped: Buffer, kekVersion: number, context: KeyContext): Promise<RewrappedDataKey> {
    const dataKey = await this.unwrapDataKey(wrapped, kekVersion, context);
    try {
      return { wrapped: this.#wrap(dataKey, this.currentVersion, context), kekVersion: this.currentVersion };
    } finally {
      dataKey.fill(0);
    }
  }

  async healthCheck(): Promise<void> {
    if (!(await dataKeyRoundTrips(this)))
      throw new Error('local KEK round trip returned a different data key');
  }

  #wrap(dataKey: Buffer, kekVersion: number, context: KeyContext): Buffer {
    return packBox(seal(this.#key(kekVersion), dataKey, this.#aad(kekVersion, context)));
  }

  #key(kekVersion: number): Buffer {
    const key = this.#keys.get(kekVersion);
    if (!key) throw new KekVersionUnknownError(kekVersion);
    return key;
  }

  #aad(kekVersion: number, context: KeyContext): Buffer {
    // The KEK version is bound too, so a wrapped key relabelled with another version does not open.
    return Buffer.concat([Buffer.from(`kek:${kekVersion}|`), associatedData(context, 'data-key')]);
  }
}

/** Creates a fresh key ring file body (used by tests, the harness and `docs`). */
export function generateLocalKeyRing(versions: readonly number[] = [1]): LocalKeyRingFile {
  const current = Math.max(...versions);
  return {
    currentVersion: current,
    minimumDecryptionVersion: Math.min(...versions),
    keys: versions.map((version) => ({ version, key: randomBytes(KEY_BYTES).toString('base64') })),
  };
}
