import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../../../test/harness/index.js';
import type { PostgresSettings } from '../../../../test/harness/index.js';
import { startKeyService, type RunningKeyService } from '../../../../test/harness/key-service.js';
import { call, fakeProviderKey, type HttpResult } from '../support/http.js';
import { findPlaintext } from '../support/plaintext-scan.js';

const run = promisify(execFile);

/**
 * Drives every endpoint (including failures and hostile input carrying the key), then scans a full
 * pg_dump of the database, the service's complete log output at debug level, /metrics and every
 * error answer for any form of any key that was stored.
 */
let postgres: PostgresSettings;
let svc: RunningKeyService;
const secrets: string[] = [];
const errorBodies: string[] = [];
let acquiredBody = '';

async function record(result: Promise<HttpResult>): Promise<HttpResult> {
  const res = await result;
  if (res.status >= 400) errorBodies.push(res.text);
  return res;
}

beforeAll(async () => {
  postgres = await createDatabase('ks_scan');
  svc = await startKeyService({
    postgres,
    env: { KEY_SERVICE_LOG_LEVEL: 'trace', KEY_SERVICE_BREAKER_COOLDOWN_SECONDS: '0' },
  });
  const worker = await svc.mintWorkerToken();
  const admin = svc.adminToken;

  for (const [tenantId, provider] of [
    ['scan-a', 'openai'],
    ['scan-a', 'anthropic'],
    ['scan-b', 'openai'],
  ] as const) {
    const apiKey = fakeProviderKey(provider);
    secrets.push(apiKey);
    await record(
      call(svc.url, `/v1/tenants/${tenantId}/keys/${provider}`, {
        method: 'PUT',
        token: admin,
        body: { apiKey },
      }),
    );
    const got = await record(
      call(svc.url, '/v1/keys/acquire', { token: worker, body: { tenantId, provider } }),
    );
    acquiredBody += got.text;
  }
  // Replace one key (the old ciphertext must be gone too) and delete another.
  const replacement = fakeProviderKey('openai');
  secrets.push(replacement);
  await record(
    call(svc.url, '/v1/tenants/scan-b/keys/openai', {
      method: 'PUT',
      token: admin,
      body: { apiKey: replacement },
    }),
  );
  await record(call(svc.url, '/v1/tenants/scan-a/keys/anthropic', { method: 'DELETE', token: admin }));

  // Trip, probe and recover a breaker.
  for (let i = 0; i < 7; i += 1) {
    await record(
      call(svc.url, '/v1/keys/report', {
        token: worker,
        body: { tenantId: 'scan-a', provider: 'openai', keyVersion: 1, outcome: 'rate_limited' },
      }),
    );
  }
  await record(
    call(svc.url, '/v1/keys/acquire', { token: worker, body: { tenantId: 'scan-a', provider: 'openai' } }),
  );
  await record(
    call(svc.url, '/v1/keys/report', {
      token: worker,
      body: { tenantId: 'scan-a', provider: 'openai', keyVersion: 1, outcome: 'success' },
    }),
  );

  // Hostile and mistaken calls that carry a key where it does not belong.
  const leaked = secrets[0] ?? '';
  await record(
    call(svc.url, '/v1/keys/acquire', { token: leaked, body: { tenantId: 'scan-a', provider: 'openai' } }),
  );
  await record(
    call(svc.url, '/v1/tenants/scan-a/keys/openai', {
      method: 'PUT',
      token: leaked,
      body: { apiKey: leaked },
    }),
  );
  await record(
    call(svc.url, '/v1/keys/acquire', { token: worker, body: { tenantId: leaked, provider: 'openai' } }),
  );
  await record(
    call(svc.url, '/v1/keys/acquire', { token: worker, body: { tenantId: 'scan-a', provider: leaked } }),
  );
  await record(
    call(svc.url, '/v1/keys/report', {
      token: worker,
      body: { tenantId: 'scan-a', provider: 'openai', keyVersion: 1, outcome: leaked },
    }),
  );
  await record(
    call(svc.url, '/v1/tenants/scan-a/keys/openai', {
      method: 'PUT',
      token: admin,
      body: { apiKey: `${leaked} with spaces` },
    }),
  );
  await record(
    call(svc.url, '/v1/tenants/scan-a/keys/openai', {
      method: 'PUT',
      token: admin,
      body: { apiKey: leaked, [leaked]: leaked },
    }),
  );
  await record(
    call(svc.url, '/v1/tenants/scan-a/keys/openai', {
      method: 'PUT',
      token: admin,
      raw: `{"apiKey": "${leaked}"`,
    }),
  );
  await record(
    call(svc.url, `/v1/tenants/${leaked}/keys/openai`, {
      method: 'PUT',
      token: admin,
      body: { apiKey: leaked },
    }),
  );
  await record(call(svc.url, `/v1/${leaked}`, { token: admin }));
});

afterAll(async () => {
  await svc?.stop();
});

async function databaseDump(): Promise<string> {
  const { stdout } = await run(
    '/usr/lib/postgresql/15/bin/pg_dump',
    [
      '--no-owner',
      '--data-only',
      '--inserts',
      '-h',
      postgres.host,
      '-p',
      String(postgres.port),
      '-U',
      postgres.user,
      postgres.database,
    ],
    {
      env: { ...process.env, PGPASSWORD: postgres.password },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return stdout;
}

describe('no plaintext key outside its encrypted row', () => {
  it('should find the keys where they belong, proving the scan can see them', () => {
    // The acquire answers legitimately carry the key: the scanner must spot it there.
    expect(findPlaintext(secrets.slice(0, 3), { 'acquire answers': acquiredBody })).not.toEqual([]);
  });

  it('should find no form of any key in a full database dump', async () => {
    const dump = await databaseDump();
    expect(dump).toContain('INSERT INTO public.tenant_keys');
    expect(findPlaintext(secrets, { 'database dump': dump })).toEqual([]);
  });

  it('should find no form of any key in the service logs at trace level', () => {
    const logs = svc.logs();
    expect(logs.length).toBeGreaterThan(1_000);
    expect(findPlaintext(secrets, { logs })).toEqual([]);
  });

  it('should find no form of any key in /metrics', async () => {
    const metrics = (await call(svc.metricsUrl, '/metrics')).text;
    expect(metrics).toContain('key_service_acquire_duration_seconds');
    expect(findPlaintext(secrets, { metrics })).toEqual([]);
  });

  it('should find no form of any key in error answers', () => {
    expect(errorBodies.length).toBeGreaterThanOrEqual(10);
    expect(findPlaintext(secrets, { 'error answers': errorBodies.join('\n') })).toEqual([]);
  });
});
