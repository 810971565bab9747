import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../../../test/harness/index.js';
import { startKeyService, type RunningKeyService } from '../../../../test/harness/key-service.js';
import { DecryptionRefusedError, KekVersionRetiredError } from '../../src/crypto/crypto-errors.js';
import { AwsKmsKek } from '../../src/kek/aws-kms-kek.js';
import { call, fakeProviderKey } from '../support/http.js';
import { MOTO_CREDENTIALS, MOTO_REGION, startMotoKms, type MotoKms } from '../support/moto-kms.js';

let kms: MotoKms;
let key1: string;
let key2: string;

beforeAll(async () => {
  kms = await startMotoKms();
  key1 = await kms.createKey();
  key2 = await kms.createKey();
});

afterAll(async () => {
  await kms?.stop();
});

const context = { tenantId: 'tenant-kms', provider: 'anthropic', keyVersion: 1 };

function kek(ids: Record<number, string>, minimumDecryptionVersion = 1): AwsKmsKek {
  return new AwsKmsKek({
    keyIds: new Map(Object.entries(ids).map(([v, id]) => [Number(v), id])),
    minimumDecryptionVersion,
    region: MOTO_REGION,
    endpoint: kms.endpoint,
    credentials: MOTO_CREDENTIALS,
  });
}

describe('aws-kms KEK provider (against moto server)', () => {
  it('should generate a data key with GenerateDataKey and open it with Decrypt', async () => {
    const provider = kek({ 1: key1 });
    const generated = await provider.generateDataKey(context);
    expect(generated.plaintext.length).toBe(32);
    expect((await provider.unwrapDataKey(generated.wrapped, 1, context)).equals(generated.plaintext)).toBe(
      true,
    );
  });

  it('should refuse to open a data key under another encryption context', async () => {
    const provider = kek({ 1: key1 });
    const generated = await provider.generateDataKey(context);
    await expect(
      provider.unwrapDataKey(generated.wrapped, 1, { ...context, tenantId: 'someone-else' }),
    ).rejects.toBeInstanceOf(DecryptionRefusedError);
  });

  it('should refuse a tampered wrapped data key', async () => {
    const provider = kek({ 1: key1 });
    const generated = await provider.generateDataKey(context);
    const tampered = Buffer.from(generated.wrapped);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 0xff;
    await expect(provider.unwrapDataKey(tampered, 1, context)).rejects.toThrow();
  });

  it('should move a data key to the new KMS key with ReEncrypt', async () => {
    const before = kek({ 1: key1 });
    const generated = await before.generateDataKey(context);
    const after = kek({ 1: key1, 2: key2 });
    const moved = await after.rewrapDataKey(generated.wrapped, 1, context);
    expect(moved.kekVersion).toBe(2);
    expect((await after.unwrapDataKey(moved.wrapped, 2, context)).equals(generated.plaintext)).toBe(true);
  });

  it('should refuse a data key below the minimum decryption version without calling KMS', async () => {
    const generated = await kek({ 1: key1 }).generateDataKey(context);
    await expect(
      kek({ 1: key1, 2: key2 }, 2).unwrapDataKey(generated.wrapped, 1, context),
    ).rejects.toBeInstanceOf(KekVersionRetiredError);
  });

  it('should pass its readiness round trip', async () => {
    await expect(kek({ 1: key1 }).healthCheck()).resolves.toBeUndefined();
  });
});

describe('key-service process with the aws-kms KEK', () => {
  let svc: RunningKeyService;
  let db: pg.Client;
  const awsEnv = () => ({
    KEY_SERVICE_KEK_PROVIDER: 'aws-kms',
    KEY_SERVICE_AWS_KMS_KEY_ID: key1,
    KEY_SERVICE_AWS_KMS_ENDPOINT: kms.endpoint,
    AWS_REGION: MOTO_REGION,
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
  });

  beforeAll(async () => {
    const postgres = await createDatabase('ks_kms');
    svc = await startKeyService({ postgres, env: awsEnv() });
    db = new pg.Client({ connectionString: postgres.url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await svc?.stop();
  });

  it('should be ready with KMS reachable', async () => {
    expect((await call(svc.url, '/readyz')).json).toEqual({
      status: 'ready',
      checks: { postgres: true, kek: true },
    });
  });

  it('should store a key under KMS and hand it back to a worker', async () => {
    const apiKey = fakeProviderKey('anthropic');
    await call(svc.url, '/v1/tenants/kms-tenant/keys/anthropic', {
      method: 'PUT',
      token: svc.adminToken,
      body: { apiKey },
    });
    const res = await call(svc.url, '/v1/keys/acquire', {
      token: await svc.mintWorkerToken(),
      body: { tenantId: 'kms-tenant', provider: 'anthropic' },
    });
    expect(res.json).toMatchObject({ apiKey, keyVersion: 1 });
  });

  it('should re-wrap every data key to a new KMS key with the rewrap command, leaving the ciphertext untouched', async () => {
    const before = await db.query<{ ciphertext: Buffer; wrapped_dek: Buffer }>(
      "SELECT ciphertext, wrapped_dek FROM tenant_keys WHERE tenant_id = 'kms-tenant'",
    );
    const ring = `1=${key1},2=${key2}`;
    const result = await svc.runCommand('rewrap', { KEY_SERVICE_AWS_KMS_KEY_ID: ring });
    expect(result.code).toBe(0);
    const after = await db.query<{ ciphertext: Buffer; wrapped_dek: Buffer; kek_version: number }>(
      "SELECT ciphertext, wrapped_dek, kek_version FROM tenant_keys WHERE tenant_id = 'kms-tenant'",
    );
    expect(after.rows[0]?.kek_version).toBe(2);
    expect(after.rows[0]?.ciphertext.equals(before.rows[0]?.ciphertext ?? Buffer.alloc(0))).toBe(true);
    expect(after.rows[0]?.wrapped_dek.equals(before.rows[0]?.wrapped_dek ?? Buffer.alloc(0))).toBe(false);
    const replica = await svc.startReplica({
      KEY_SERVICE_AWS_KMS_KEY_ID: ring,
      KEY_SERVICE_KEK_MIN_DECRYPTION_VERSION: '2',
    });
    const res = await call(replica.url, '/v1/keys/acquire', {
      token: await svc.mintWorkerToken(),
      body: { tenantId: 'kms-tenant', provider: 'anthropic' },
    });
    expect(res.status).toBe(200);
  });
});
