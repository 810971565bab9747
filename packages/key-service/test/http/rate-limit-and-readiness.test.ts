import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../../../test/harness/index.js';
import { startKeyService, type RunningKeyService } from '../../../../test/harness/key-service.js';
import { loadKeyServiceConfig } from '../../src/config/key-service-config.js';
import { AwsKmsKek } from '../../src/kek/aws-kms-kek.js';
import { createKeyService } from '../../src/service/key-service.js';
import { call, errorOf, fakeProviderKey, type HttpResult } from '../support/http.js';

describe('per-caller rate limit', () => {
  let svc: RunningKeyService;

  beforeAll(async () => {
    svc = await startKeyService({
      postgres: await createDatabase('ks_ratelimit'),
      env: { KEY_SERVICE_RATE_LIMIT_PER_SECOND: '1', KEY_SERVICE_RATE_LIMIT_BURST: '3' },
    });
    await call(svc.url, '/v1/tenants/rl/keys/openai', {
      method: 'PUT',
      token: svc.adminToken,
      body: { apiKey: fakeProviderKey('openai') },
    });
  });

  afterAll(async () => {
    await svc?.stop();
  });

  it('should answer 429 RATE_LIMITED with Retry-After once a caller spends its burst', async () => {
    const token = await svc.mintWorkerToken({
      namespace: 'apexseo',
      serviceAccount: 'eeat-worker',
      podName: 'busy-pod',
    });
    const statuses: number[] = [];
    let last: HttpResult | undefined;
    for (let i = 0; i < 5; i += 1) {
      last = await call(svc.url, '/v1/keys/status', { token, body: { tenantId: 'rl', provider: 'openai' } });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    if (!last) throw new Error('no answer recorded');
    expect(errorOf(last).code).toBe('RATE_LIMITED');
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('should not slow down another caller', async () => {
    const token = await svc.mintWorkerToken({
      namespace: 'apexseo',
      serviceAccount: 'eeat-worker',
      podName: 'quiet-pod',
    });
    const res = await call(svc.url, '/v1/keys/status', {
      token,
      body: { tenantId: 'rl', provider: 'openai' },
    });
    expect(res.status).toBe(200);
  });

  it('should write a token file a worker can authenticate with', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ks-token-'));
    try {
      const path = await svc.writeTokenFile(dir);
      const token = (await readFile(path, 'utf8')).trim();
      const res = await call(svc.url, '/v1/keys/acquire', {
        token,
        body: { tenantId: 'rl', provider: 'openai' },
      });
      expect(res.status).toBe(200);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('readiness', () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    const postgres = await createDatabase('ks_ready');
    dir = await mkdtemp(join(tmpdir(), 'ks-ready-'));
    await writeFile(
      join(dir, 'kek.json'),
      JSON.stringify({
        currentVersion: 1,
        minimumDecryptionVersion: 1,
        keys: [{ version: 1, key: randomBytes(32).toString('base64') }],
      }),
    );
    await writeFile(join(dir, 'jwks.json'), JSON.stringify({ keys: [{ kty: 'oct', k: 'AA' }] }));
    env = {
      KEY_SERVICE_HOST: '127.0.0.1',
      KEY_SERVICE_PORT: '0',
      KEY_SERVICE_METRICS_PORT: '0',
      KEY_SERVICE_PG_HOST: postgres.host,
      KEY_SERVICE_PG_PORT: String(postgres.port),
      KEY_SERVICE_PG_DATABASE: postgres.database,
      KEY_SERVICE_PG_USER: postgres.user,
      KEY_SERVICE_PG_PASSWORD: postgres.password,
      KEY_SERVICE_KEK_FILE: join(dir, 'kek.json'),
      KEY_SERVICE_JWKS_FILE: join(dir, 'jwks.json'),
      KEY_SERVICE_ALLOWED_SUBJECTS: 'system:serviceaccount:apexseo:eeat-worker',
      KEY_SERVICE_ADMIN_TOKEN_SHA256: createHash('sha256').update('x').digest('hex'),
      KEY_SERVICE_LOG_LEVEL: 'silent',
    };
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should answer 503 AUTH_UNAVAILABLE with Retry-After, not 401, when the token key set cannot be read', async () => {
    const config = loadKeyServiceConfig({ ...env, KEY_SERVICE_JWKS_FILE: join(dir, 'missing-jwks.json') });
    const service = await createKeyService(config, { skipSchemaCheck: true });
    const { apiUrl } = await service.start();
    try {
      const token = ['eyJhbGciOiJFUzI1NiJ9', 'eyJzdWIiOiJ4In0', 'c2lnbmF0dXJl'].join('.');
      const res = await call(apiUrl, '/v1/keys/status', {
        token,
        body: { tenantId: 't', provider: 'openai' },
      });
      expect(res.status).toBe(503);
      expect(errorOf(res).code).toBe('AUTH_UNAVAILABLE');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(JSON.stringify(res.json)).not.toContain('missing-jwks');
    } finally {
      await service.stop();
    }
  });

  it('should be not ready (503) when Postgres does not answer', async () => {
    const config = loadKeyServiceConfig({ ...env, KEY_SERVICE_PG_PORT: '1' });
    const service = await createKeyService(config, { skipSchemaCheck: true });
    const { apiUrl } = await service.start();
    try {
      const res = await call(apiUrl, '/readyz');
      expect(res.status).toBe(503);
      expect(res.json).toEqual({ status: 'not_ready', checks: { postgres: false, kek: true } });
      expect((await call(apiUrl, '/healthz')).status).toBe(200);
    } finally {
      await service.stop();
    }
  });

  it('should be not ready (503) when the KEK cannot wrap and unwrap', async () => {
    const config = loadKeyServiceConfig(env);
    const deadKms = new AwsKmsKek({
      keyIds: new Map([[1, 'alias/none']]),
      minimumDecryptionVersion: 1,
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    const service = await createKeyService(config, { kek: deadKms, skipSchemaCheck: true });
    const { apiUrl } = await service.start();
    try {
      const res = await call(apiUrl, '/readyz');
      expect(res.status).toBe(503);
      expect(res.json).toEqual({ status: 'not_ready', checks: { postgres: true, kek: false } });
    } finally {
      await service.stop();
    }
  });
});
