import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../../../test/harness/index.js';
import { startKeyService, type RunningKeyService } from '../../../../test/harness/key-service.js';
import type { LocalKeyRingFile } from '../../src/kek/local-key-ring.js';
import { call, fakeProviderKey } from '../support/http.js';

let svc: RunningKeyService;
let db: pg.Client;
let worker: string;
const keys = new Map<string, string>();

interface Row {
  tenant_id: string;
  kek_version: number;
  wrapped_dek: Buffer;
  nonce: Buffer;
  ciphertext: Buffer;
  auth_tag: Buffer;
}

async function rows(): Promise<Map<string, Row>> {
  const result = await db.query<Row>(
    'SELECT tenant_id, kek_version, wrapped_dek, nonce, ciphertext, auth_tag FROM tenant_keys WHERE deleted_at IS NULL',
  );
  return new Map(result.rows.map((r) => [r.tenant_id, r]));
}

async function editRing(edit: (ring: LocalKeyRingFile) => LocalKeyRingFile): Promise<void> {
  const ring = JSON.parse(await readFile(svc.kekFile, 'utf8')) as LocalKeyRingFile;
  await writeFile(svc.kekFile, JSON.stringify(edit(ring)), { mode: 0o600 });
}

beforeAll(async () => {
  const postgres = await createDatabase('ks_rotation');
  svc = await startKeyService({ postgres });
  db = new pg.Client({ connectionString: postgres.url });
  await db.connect();
  worker = await svc.mintWorkerToken();
  for (let i = 0; i < 5; i += 1) {
    const tenantId = `rot-${i}`;
    const apiKey = fakeProviderKey('openai');
    keys.set(tenantId, apiKey);
    await call(svc.url, `/v1/tenants/${tenantId}/keys/openai`, {
      method: 'PUT',
      token: svc.adminToken,
      body: { apiKey },
    });
  }
});

afterAll(async () => {
  await db?.end();
  await svc?.stop();
});

describe('KEK rotation', () => {
  it('should re-wrap every data key to the new KEK version without touching nonce, ciphertext or tag', async () => {
    const before = await rows();
    expect([...before.values()].every((r) => r.kek_version === 1)).toBe(true);
    await editRing((ring) => ({
      ...ring,
      currentVersion: 2,
      keys: [...ring.keys, { version: 2, key: randomBytes(32).toString('base64') }],
    }));
    const result = await svc.runCommand('rewrap');
    expect(result.code).toBe(0);
    expect(result.output).toContain('"rewrapped":5');
    const after = await rows();
    for (const [tenantId, row] of after) {
      const old = before.get(tenantId)!;
      expect(row.kek_version).toBe(2);
      expect(row.wrapped_dek.equals(old.wrapped_dek)).toBe(false);
      expect(
        row.ciphertext.equals(old.ciphertext) &&
          row.nonce.equals(old.nonce) &&
          row.auth_tag.equals(old.auth_tag),
      ).toBe(true);
    }
  });

  it('should keep re-wrap output free of any key', async () => {
    const result = await svc.runCommand('rewrap');
    for (const apiKey of keys.values()) expect(result.output).not.toContain(apiKey);
    expect(result.output).toContain('"rewrapped":0');
  });

  it('should serve every key from a replica that only decrypts the new KEK version', async () => {
    await editRing((ring) => ({ ...ring, minimumDecryptionVersion: 2 }));
    const replica = await svc.startReplica();
    for (const [tenantId, apiKey] of keys) {
      const res = await call(replica.url, '/v1/keys/acquire', {
        token: worker,
        body: { tenantId, provider: 'openai' },
      });
      expect((res.json as { apiKey: string }).apiKey).toBe(apiKey);
    }
  });

  it('should refuse a key still wrapped under a retired KEK version', async () => {
    // The first process still wraps under version 1 (it read the ring at start); a row it writes now
    // is exactly the case the minimum decryption version exists for.
    await call(svc.url, '/v1/tenants/straggler/keys/openai', {
      method: 'PUT',
      token: svc.adminToken,
      body: { apiKey: fakeProviderKey('openai') },
    });
    expect((await rows()).get('straggler')?.kek_version).toBe(1);
    const replica = await svc.startReplica();
    const res = await call(replica.url, '/v1/keys/acquire', {
      token: worker,
      body: { tenantId: 'straggler', provider: 'openai' },
    });
    expect(res.status).toBe(500);
    expect(res.json).toEqual({
      error: { code: 'KEY_DECRYPTION_FAILED', message: 'the stored key could not be decrypted' },
    });
  });

  it('should fail the re-wrap job (exit 2) for a key it cannot open, and name no key', async () => {
    const result = await svc.runCommand('rewrap');
    expect(result.code).toBe(2);
    expect(result.output).toContain('kek_version_retired');
  });
});
