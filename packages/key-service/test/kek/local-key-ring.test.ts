import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLocalKeyRing, LocalKeyRing, LocalKeyRingFileError } from '../../src/kek/local-key-ring.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ks-ring-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(body: unknown): Promise<LocalKeyRing | Error> {
  const file = join(dir, `${crypto.randomUUID()}.json`);
  await writeFile(file, typeof body === 'string' ? body : JSON.stringify(body));
  return LocalKeyRing.fromFile(file).catch((e: unknown) => e as Error);
}

describe('local KEK key ring file', () => {
  it('should load a valid ring and use its current version for new data keys', async () => {
    const ring = await load(generateLocalKeyRing([1, 2, 3]));
    expect(ring).toBeInstanceOf(LocalKeyRing);
    const generated = await (ring as LocalKeyRing).generateDataKey({
      tenantId: 't',
      provider: 'openai',
      keyVersion: 1,
    });
    expect(generated.kekVersion).toBe(3);
  });

  it('should reject a file that is not JSON without quoting it', async () => {
    const error = await load('{"keys": [ not json');
    expect(error).toBeInstanceOf(LocalKeyRingFileError);
    expect((error as Error).message).toBe('local KEK file is invalid: not valid JSON');
  });

  it('should reject a key that is not 32 bytes and name the field, not the value', async () => {
    const short = Buffer.alloc(16, 9).toString('base64');
    const error = await load({
      currentVersion: 1,
      minimumDecryptionVersion: 1,
      keys: [{ version: 1, key: short }],
    });
    expect((error as Error).message).toContain('keys.0.key');
    expect((error as Error).message).not.toContain(short);
  });

  it('should reject a current version that is not in the ring', async () => {
    const ring = generateLocalKeyRing([1]);
    const error = await load({ ...ring, currentVersion: 2 });
    expect((error as Error).message).toContain('currentVersion must be one of keys[].version');
  });

  it('should reject a minimum decryption version above the current version', async () => {
    const ring = generateLocalKeyRing([1, 2]);
    const error = await load({ ...ring, minimumDecryptionVersion: 3 });
    expect((error as Error).message).toContain('minimumDecryptionVersion must not exceed currentVersion');
  });

  it('should re-wrap a data key to the current version and still open it', async () => {
    const file = generateLocalKeyRing([1, 2]);
    const context = { tenantId: 't', provider: 'openai', keyVersion: 1 };
    const v1 = new LocalKeyRing({ ...file, currentVersion: 1 });
    const generated = await v1.generateDataKey(context);
    const v2 = new LocalKeyRing(file);
    const moved = await v2.rewrapDataKey(generated.wrapped, 1, context);
    expect(moved.kekVersion).toBe(2);
    expect((await v2.unwrapDataKey(moved.wrapped, 2, context)).equals(generated.plaintext)).toBe(true);
  });
});
