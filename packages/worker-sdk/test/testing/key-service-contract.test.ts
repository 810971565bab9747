/**
 * The testing kit's LocalKeyService and the real key service (on real PostgreSQL) get the same conversation over
 * HTTP — auth, bad input, acquire, the breaker's every rule, status with and without a provider, stale versions,
 * the half-open probe, admin resume and delete — and must answer it identically (error messages aside). This is what
 * keeps the in-memory implementation from drifting from the service it stands in for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyService, type RunningKeyService } from '../../../../test/harness/key-service.js';
import { createDatabase } from '../../../../test/harness/index.js';
import { LocalKeyService } from '../../src/testing/local-key-service.js';

interface Target {
  readonly url: string;
  readonly workerToken: string;
  readonly adminToken: string;
}

interface Exchange {
  readonly step: string;
  readonly status: number;
  readonly retryAfterHeader: boolean;
  readonly body: unknown;
}

const COOLDOWN_SECONDS = 1;

async function call(
  target: Target,
  method: string,
  path: string,
  body: unknown,
  auth: 'worker' | 'admin' | 'none' = 'worker',
): Promise<Omit<Exchange, 'step'>> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (auth !== 'none')
    headers['authorization'] = `Bearer ${auth === 'worker' ? target.workerToken : target.adminToken}`;
  const res = await fetch(`${target.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  return {
    status: res.status,
    retryAfterHeader: res.headers.has('retry-after'),
    body: withoutMessages(parsed),
  };
}

/** Error messages are prose and may be worded differently; codes and every other field must match. */
function withoutMessages(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || !('error' in body)) return body;
  const error = { ...(body as { error: Record<string, unknown> }).error };
  delete error['message'];
  return { error };
}

/** The conversation. Every exchange is recorded, in order, with its status, Retry-After presence and body. */
async function converse(target: Target): Promise<Exchange[]> {
  const log: Exchange[] = [];
  const ex = async (
    step: string,
    method: string,
    path: string,
    body?: unknown,
    auth?: 'worker' | 'admin' | 'none',
  ) => log.push({ step, ...(await call(target, method, path, body, auth)) });
  const acquire = (step: string, tenantId: string, provider = 'openai') =>
    ex(step, 'POST', '/v1/keys/acquire', { tenantId, provider });
  const report = (
    step: string,
    tenantId: string,
    keyVersion: number,
    outcome: string,
    extra: Record<string, unknown> = {},
  ) => ex(step, 'POST', '/v1/keys/report', { tenantId, provider: 'openai', keyVersion, outcome, ...extra });
  const status = (step: string, body: Record<string, unknown>) => ex(step, 'POST', '/v1/keys/status', body);
  const putKey = (step: string, tenantId: string, provider: string, apiKey: string) =>
    ex(step, 'PUT', `/v1/tenants/${tenantId}/keys/${provider}`, { apiKey }, 'admin');

  await ex('no token', 'POST', '/v1/keys/acquire', { tenantId: 'acme', provider: 'openai' }, 'none');
  await ex(
    'admin token on worker API',
    'POST',
    '/v1/keys/acquire',
    { tenantId: 'acme', provider: 'openai' },
    'admin',
  );
  await acquire('unknown tenant', 'acme');
  await ex('bad tenant id', 'POST', '/v1/keys/acquire', { tenantId: '-acme', provider: 'openai' });
  await ex('unknown field', 'POST', '/v1/keys/acquire', { tenantId: 'acme', provider: 'openai', extra: 1 });
  await ex('unknown provider', 'POST', '/v1/keys/status', { tenantId: 'acme', provider: 'mistral' });
  await report('bad outcome', 'acme', 1, 'exploded');
  await status('status without a key', { tenantId: 'acme' });

  await putKey('store openai key', 'acme', 'openai', 'sk-contract-acme-openai-1');
  await acquire('acquire', 'acme');
  await status('status without provider', { tenantId: 'acme' });
  await report('success', 'acme', 1, 'success');
  for (let i = 1; i <= 5; i++) await report(`auth failure ${i}`, 'acme', 1, 'auth_failure');
  await report('server error does not count', 'acme', 1, 'server_error');
  await report('auth failure 6 trips', 'acme', 1, 'auth_failure');
  await report('auth failure 7', 'acme', 1, 'auth_failure');
  await report('late success while open', 'acme', 1, 'success');
  await acquire('acquire while paused', 'acme');
  await status('status while paused', { tenantId: 'acme', provider: 'openai' });

  await putKey('store anthropic key', 'acme', 'anthropic', 'sk-ant-contract-acme-1');
  await status('status follows the key stored last', { tenantId: 'acme' });
  await putKey('store new openai key', 'acme', 'openai', 'sk-contract-acme-openai-2');
  await acquire('new version is closed', 'acme');
  await report('stale version report', 'acme', 1, 'auth_failure');
  await report('unknown version report', 'acme', 9, 'success');
  await status('status after the new key', { tenantId: 'acme' });

  await putKey('rate-limited tenant', 'burst', 'openai', 'sk-contract-burst-1');
  for (let i = 1; i <= 6; i++)
    await report(`rate limited ${i}`, 'burst', 1, 'rate_limited', { retryAfterSeconds: 0 });
  await acquire('acquire during cool-down', 'burst');
  await new Promise((resolve) => setTimeout(resolve, COOLDOWN_SECONDS * 1000 + 300));
  await status('status after cool-down', { tenantId: 'burst', provider: 'openai' });
  await acquire('first acquire after cool-down is the probe', 'burst');
  await acquire('second acquire waits for the probe', 'burst');
  await report('probe succeeds', 'burst', 1, 'success');
  await acquire('closed again', 'burst');

  await putKey('tenant to resume', 'revoked', 'openai', 'sk-contract-revoked-1');
  for (let i = 1; i <= 6; i++) await report(`quota ${i}`, 'revoked', 1, 'quota_exhausted');
  await ex('resume', 'POST', '/v1/tenants/revoked/resume', {}, 'admin');
  await ex('resume again', 'POST', '/v1/tenants/revoked/resume', { provider: 'openai' }, 'admin');
  await acquire('acquire after resume', 'revoked');
  await ex('resume unknown tenant', 'POST', '/v1/tenants/nobody/resume', {}, 'admin');
  await ex('metadata', 'GET', '/v1/tenants/revoked/keys/openai', undefined, 'admin');
  await ex('delete', 'DELETE', '/v1/tenants/revoked/keys/openai', undefined, 'admin');
  await acquire('acquire after delete', 'revoked');
  await status('status after delete', { tenantId: 'revoked' });
  return log.map((e) => (e.step === 'metadata' ? { ...e, body: withoutCreatedAt(e.body) } : e));
}

function withoutCreatedAt(body: unknown): unknown {
  const { createdAt, ...rest } = body as { createdAt: string };
  expect(Number.isNaN(Date.parse(createdAt))).toBe(false);
  return rest;
}

let real: RunningKeyService;
let local: LocalKeyService;

beforeAll(async () => {
  [real, local] = await Promise.all([
    startKeyService({
      postgres: await createDatabase('sdk_key_contract'),
      env: { KEY_SERVICE_BREAKER_COOLDOWN_SECONDS: String(COOLDOWN_SECONDS) },
    }),
    LocalKeyService.start({ cooldownSeconds: COOLDOWN_SECONDS }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([real?.stop(), local?.close()]);
});

describe('LocalKeyService against the real key service', () => {
  it('should answer the same conversation identically', async () => {
    const [fromReal, fromLocal] = await Promise.all([
      converse({ url: real.url, workerToken: await real.mintWorkerToken(), adminToken: real.adminToken }),
      converse({ url: local.url, workerToken: local.mintToken(), adminToken: local.adminToken }),
    ]);
    // The conversation exercises what it claims to: a trip, a pause, a probe and a refusal of each kind.
    const byStep = new Map(fromReal.map((e) => [e.step, e]));
    expect(byStep.get('auth failure 6 trips')?.body).toMatchObject({ state: 'open', tripped: true });
    expect(byStep.get('acquire while paused')?.status).toBe(423);
    expect(byStep.get('first acquire after cool-down is the probe')?.body).toMatchObject({ probe: true });
    expect(byStep.get('status follows the key stored last')?.body).toMatchObject({ provider: 'anthropic' });
    expect(new Set(fromReal.map((e) => e.status))).toEqual(new Set([200, 204, 400, 401, 404, 423]));
    for (const [i, exchange] of fromReal.entries()) expect(fromLocal[i]).toEqual(exchange);
    expect(fromLocal).toHaveLength(fromReal.length);
  }, 60_000);

  it('should refuse the other one’s worker tokens: the real service a development token, the local one a cluster token', async () => {
    const devToken = local.mintToken();
    const realAnswer = await call(
      { url: real.url, workerToken: devToken, adminToken: '' },
      'POST',
      '/v1/keys/status',
      { tenantId: 'acme', provider: 'openai' },
    );
    expect(realAnswer).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
    const localAnswer = await call(
      { url: local.url, workerToken: await real.mintWorkerToken(), adminToken: '' },
      'POST',
      '/v1/keys/status',
      { tenantId: 'acme', provider: 'openai' },
    );
    expect(localAnswer).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
  });
});
