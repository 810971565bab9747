import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../../../test/harness/index.js';
import { startKeyService, type RunningKeyService } from '../../../../test/harness/key-service.js';
import { call, errorOf, fakeProviderKey } from '../support/http.js';

let svc: RunningKeyService;
let worker: string;

beforeAll(async () => {
  svc = await startKeyService({ postgres: await createDatabase('ks_api') });
  worker = await svc.mintWorkerToken();
});

afterAll(async () => {
  await svc?.stop();
});

const put = (tenantId: string, provider: string, apiKey: string) =>
  call(svc.url, `/v1/tenants/${tenantId}/keys/${provider}`, {
    method: 'PUT',
    token: svc.adminToken,
    body: { apiKey },
  });

describe('admin API', () => {
  it('should store a key and answer a version and a fingerprint, never the key', async () => {
    const apiKey = fakeProviderKey('openai');
    const res = await put('tenant-store', 'openai', apiKey);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ tenantId: 'tenant-store', provider: 'openai', keyVersion: 1 });
    expect((res.json as { fingerprint: string }).fingerprint).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(res.text).not.toContain(apiKey);
  });

  it('should give a replaced key the next version', async () => {
    await put('tenant-replace', 'anthropic', fakeProviderKey('anthropic'));
    const second = await put('tenant-replace', 'anthropic', fakeProviderKey('anthropic'));
    expect((second.json as { keyVersion: number }).keyVersion).toBe(2);
  });

  it('should read metadata with the breaker state and without the key', async () => {
    const apiKey = fakeProviderKey('openai');
    await put('tenant-meta', 'openai', apiKey);
    const res = await call(svc.url, '/v1/tenants/tenant-meta/keys/openai', { token: svc.adminToken });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      keyVersion: 1,
      breaker: { state: 'closed', paused: false, consecutiveFailures: 0 },
    });
    expect(res.text).not.toContain(apiKey);
  });

  it('should delete a key so that acquire answers KEY_NOT_FOUND', async () => {
    await put('tenant-delete', 'openai', fakeProviderKey('openai'));
    const del = await call(svc.url, '/v1/tenants/tenant-delete/keys/openai', {
      method: 'DELETE',
      token: svc.adminToken,
    });
    expect(del.status).toBe(204);
    const acquire = await call(svc.url, '/v1/keys/acquire', {
      token: worker,
      body: { tenantId: 'tenant-delete', provider: 'openai' },
    });
    expect(acquire.status).toBe(404);
    expect(errorOf(acquire).code).toBe('KEY_NOT_FOUND');
  });

  it('should answer 404 when deleting a key that does not exist', async () => {
    const del = await call(svc.url, '/v1/tenants/nobody/keys/openai', {
      method: 'DELETE',
      token: svc.adminToken,
    });
    expect(del.status).toBe(404);
  });

  it('should resume a paused tenant and list the providers it resumed', async () => {
    await put('tenant-resume', 'openai', fakeProviderKey('openai'));
    for (let i = 0; i < 6; i += 1) {
      await call(svc.url, '/v1/keys/report', {
        token: worker,
        body: { tenantId: 'tenant-resume', provider: 'openai', keyVersion: 1, outcome: 'auth_failure' },
      });
    }
    const paused = await call(svc.url, '/v1/keys/acquire', {
      token: worker,
      body: { tenantId: 'tenant-resume', provider: 'openai' },
    });
    expect(paused.status).toBe(423);
    const resume = await call(svc.url, '/v1/tenants/tenant-resume/resume', {
      token: svc.adminToken,
      body: {},
    });
    expect(resume.json).toEqual({ tenantId: 'tenant-resume', resumed: ['openai'] });
    const again = await call(svc.url, '/v1/keys/acquire', {
      token: worker,
      body: { tenantId: 'tenant-resume', provider: 'openai' },
    });
    expect(again.status).toBe(200);
  });

  it('should answer 404 TENANT_NOT_FOUND when resuming a tenant with no key', async () => {
    const resume = await call(svc.url, '/v1/tenants/ghost/resume', { token: svc.adminToken, body: {} });
    expect(resume.status).toBe(404);
    expect(errorOf(resume).code).toBe('TENANT_NOT_FOUND');
  });
});

describe('worker API', () => {
  it('should hand the current key and its version to an allowed worker', async () => {
    const apiKey = fakeProviderKey('anthropic');
    await put('tenant-acquire', 'anthropic', apiKey);
    const res = await call(svc.url, '/v1/keys/acquire', {
      token: worker,
      body: { tenantId: 'tenant-acquire', provider: 'anthropic' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      tenantId: 'tenant-acquire',
      provider: 'anthropic',
      keyVersion: 1,
      apiKey,
      probe: false,
    });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('should answer KEY_NOT_FOUND for a tenant with no key', async () => {
    const res = await call(svc.url, '/v1/keys/acquire', {
      token: worker,
      body: { tenantId: 'unknown-tenant', provider: 'openai' },
    });
    expect(res.status).toBe(404);
    expect(errorOf(res).code).toBe('KEY_NOT_FOUND');
  });

  it('should report status closed for a healthy key', async () => {
    await put('tenant-status', 'openai', fakeProviderKey('openai'));
    const res = await call(svc.url, '/v1/keys/status', {
      token: worker,
      body: { tenantId: 'tenant-status', provider: 'openai' },
    });
    expect(res.json).toEqual({ state: 'closed', paused: false, keyVersion: 1, provider: 'openai' });
  });

  it('should reject a report for a key version that does not exist', async () => {
    await put('tenant-badversion', 'openai', fakeProviderKey('openai'));
    const res = await call(svc.url, '/v1/keys/report', {
      token: worker,
      body: { tenantId: 'tenant-badversion', provider: 'openai', keyVersion: 7, outcome: 'success' },
    });
    expect(res.status).toBe(404);
  });
});

describe('authentication', () => {
  const body = { tenantId: 'tenant-auth', provider: 'openai' };

  it('should answer 401 with no detail when the token is missing', async () => {
    const res = await call(svc.url, '/v1/keys/acquire', { body });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'authentication required' } });
  });

  it('should answer 401 with no detail for an expired token', async () => {
    const token = await svc.mintWorkerToken({
      namespace: 'apexseo',
      serviceAccount: 'eeat-worker',
      expiresIn: Math.floor(Date.now() / 1000) - 600,
    });
    const res = await call(svc.url, '/v1/keys/acquire', { token, body });
    expect(res.json).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'authentication required' } });
  });

  it('should answer 401 for a token with the wrong audience', async () => {
    const token = await svc.mintWorkerToken({
      namespace: 'apexseo',
      serviceAccount: 'eeat-worker',
      audience: 'https://kubernetes.default.svc',
    });
    expect((await call(svc.url, '/v1/keys/acquire', { token, body })).status).toBe(401);
  });

  it('should answer 401 for a token from another issuer', async () => {
    const token = await svc.mintWorkerToken({
      namespace: 'apexseo',
      serviceAccount: 'eeat-worker',
      issuer: 'https://evil.example',
    });
    expect((await call(svc.url, '/v1/keys/acquire', { token, body })).status).toBe(401);
  });

  it('should answer 401 for a token with a forged signature', async () => {
    const [header, payload] = worker.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not-a-signature').toString('base64url')}`;
    expect((await call(svc.url, '/v1/keys/acquire', { token: forged, body })).status).toBe(401);
  });

  it('should answer 401 for an unsigned (alg none) token', async () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const token = `${enc({ alg: 'none' })}.${enc({ sub: 'system:serviceaccount:apexseo:eeat-worker', aud: 'apexseo-key-service', iss: 'https://kubernetes.default.svc', exp: 9999999999 })}.`;
    expect((await call(svc.url, '/v1/keys/acquire', { token, body })).status).toBe(401);
  });

  it('should answer 403 with no detail for a valid token of a service account not on the allowlist', async () => {
    const token = await svc.mintWorkerToken({ namespace: 'apexseo', serviceAccount: 'intruder' });
    const res = await call(svc.url, '/v1/keys/acquire', { token, body });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ error: { code: 'FORBIDDEN', message: 'not allowed' } });
  });

  it('should answer 403 for the allowed account name in another namespace', async () => {
    const token = await svc.mintWorkerToken({ namespace: 'default', serviceAccount: 'eeat-worker' });
    expect((await call(svc.url, '/v1/keys/acquire', { token, body })).status).toBe(403);
  });

  it('should refuse the admin token on the worker API', async () => {
    expect((await call(svc.url, '/v1/keys/acquire', { token: svc.adminToken, body })).status).toBe(401);
  });

  it('should refuse a worker token on the admin API', async () => {
    const res = await call(svc.url, '/v1/tenants/tenant-auth/keys/openai', {
      method: 'PUT',
      token: worker,
      body: { apiKey: fakeProviderKey('openai') },
    });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'authentication required' } });
  });

  it('should refuse a wrong admin token', async () => {
    const res = await call(svc.url, '/v1/tenants/tenant-auth/keys/openai', { token: `${svc.adminToken}x` });
    expect(res.status).toBe(401);
  });
});

describe('health and metrics', () => {
  it('should be ready when Postgres answers and the KEK works', async () => {
    const res = await call(svc.url, '/readyz');
    expect(res.json).toEqual({ status: 'ready', checks: { postgres: true, kek: true } });
  });

  it('should export the acquire histogram and breaker metrics named in the architecture', async () => {
    const res = await call(svc.metricsUrl, '/metrics');
    expect(res.text).toContain('key_service_acquire_duration_seconds_bucket');
    expect(res.text).toContain('# TYPE key_service_breaker_trips_total counter');
    expect(res.text).toMatch(/key_service_breaker_open\{provider="openai"\} \d+/);
  });
});
