import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../../../test/harness/index.js';
import {
  startKeyService,
  type KeyServiceReplica,
  type RunningKeyService,
} from '../../../../test/harness/key-service.js';
import { fireFromProcesses, type FleetRequest } from '../support/client-fleet.js';
import { call, errorOf, fakeProviderKey } from '../support/http.js';

/**
 * Three key-service processes on one database, and five client processes firing at the same
 * instant: the breaker must count across all of them.
 */
let svc: RunningKeyService;
let replicas: KeyServiceReplica[];
let urls: string[];
let db: pg.Client;
let worker: string;

beforeAll(async () => {
  const postgres = await createDatabase('ks_fleet');
  svc = await startKeyService({
    postgres,
    env: {
      KEY_SERVICE_BREAKER_COOLDOWN_SECONDS: '1',
      KEY_SERVICE_PROBE_LEASE_SECONDS: '60',
      KEY_SERVICE_LOG_LEVEL: 'warn',
    },
  });
  replicas = [svc, await svc.startReplica(), await svc.startReplica()];
  urls = replicas.map((r) => r.url);
  db = new pg.Client({ connectionString: postgres.url });
  await db.connect();
  worker = await svc.mintWorkerToken();
});

afterAll(async () => {
  await db?.end();
  await svc?.stop();
});

async function storeKey(tenantId: string): Promise<number> {
  const res = await call(svc.url, `/v1/tenants/${tenantId}/keys/openai`, {
    method: 'PUT',
    token: svc.adminToken,
    body: { apiKey: fakeProviderKey('openai') },
  });
  expect(res.status).toBe(200);
  return (res.json as { keyVersion: number }).keyVersion;
}

function spread(count: number, path: string, body: (i: number) => unknown): FleetRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    url: urls[i % urls.length] ?? svc.url,
    path,
    token: worker,
    body: body(i),
  }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function tripsInMetrics(): Promise<number> {
  let total = 0;
  for (const replica of replicas) {
    const text = (await call(replica.metricsUrl, '/metrics')).text;
    for (const match of text.matchAll(/^key_service_breaker_trips_total\{[^}]*\} (\d+)/gm))
      total += Number(match[1]);
  }
  return total;
}

describe('fleet-wide breaker', () => {
  it('should trip exactly once, on the 6th of 50 concurrent failure reports from 5 processes to 3 replicas', async () => {
    await storeKey('fleet');
    const results = await fireFromProcesses(
      spread(50, '/v1/keys/report', () => ({
        tenantId: 'fleet',
        provider: 'openai',
        keyVersion: 1,
        outcome: 'auth_failure',
      })),
      5,
    );
    expect(results.map((r) => r.status)).toEqual(Array<number>(50).fill(200));
    const answers = results.map(
      (r) => r.json as { tripped: boolean; consecutiveFailures: number; state: string },
    );
    const tripped = answers.filter((a) => a.tripped);
    expect(tripped).toHaveLength(1);
    expect(tripped[0]?.consecutiveFailures).toBe(6);
    expect(new Set(answers.map((a) => a.consecutiveFailures)).size).toBe(50);
    expect(answers.filter((a) => a.consecutiveFailures <= 5).every((a) => a.state === 'closed')).toBe(true);
    const { rows } = await db.query<{ state: string; failures: number; trips: number }>(
      "SELECT state, failures, trips FROM key_breakers WHERE tenant_id = 'fleet'",
    );
    expect(rows[0]).toEqual({ state: 'open', failures: 50, trips: 1 });
    expect(await tripsInMetrics()).toBe(1);
  });

  it('should refuse acquire with 423 TENANT_PAUSED on every replica while an auth trip is open', async () => {
    await sleep(1_500); // longer than the cool-down: auth trips must not half-open
    for (const url of urls) {
      const res = await call(url, '/v1/keys/acquire', {
        token: worker,
        body: { tenantId: 'fleet', provider: 'openai' },
      });
      expect(res.status).toBe(423);
      expect(errorOf(res)).toMatchObject({ code: 'TENANT_PAUSED', reason: 'auth_failure' });
    }
  });

  it('should show the breaker as open in the gauge', async () => {
    const text = (await call(svc.metricsUrl, '/metrics')).text;
    expect(text).toMatch(/key_service_breaker_open\{provider="openai"\} [1-9]/);
  });

  it('should close and resume the tenant when a new key version is stored', async () => {
    expect(await storeKey('fleet')).toBe(2);
    const res = await call(urls[2] ?? svc.url, '/v1/keys/acquire', {
      token: worker,
      body: { tenantId: 'fleet', provider: 'openai' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ keyVersion: 2, probe: false });
  });

  it('should not count 5xx, overload, timeouts or bad requests, however many arrive at once', async () => {
    await storeKey('noisy');
    const outcomes = ['server_error', 'overloaded', 'timeout', 'bad_request'];
    const results = await fireFromProcesses(
      spread(40, '/v1/keys/report', (i) => ({
        tenantId: 'noisy',
        provider: 'openai',
        keyVersion: 1,
        outcome: outcomes[i % 4],
      })),
      4,
    );
    expect(results.every((r) => r.status === 200 && (r.json as { tripped: boolean }).tripped === false)).toBe(
      true,
    );
    const status = await call(svc.url, '/v1/keys/status', {
      token: worker,
      body: { tenantId: 'noisy', provider: 'openai' },
    });
    expect(status.json).toEqual({ state: 'closed', paused: false, keyVersion: 1, provider: 'openai' });
    const { rows } = await db.query<{ failures: number }>(
      "SELECT failures FROM key_breakers WHERE tenant_id = 'noisy'",
    );
    expect(rows[0]?.failures).toBe(0);
  });

  it('should hold a rate-limit trip open for the retry-after when it is longer than the cool-down', async () => {
    await storeKey('ratelimited');
    for (let i = 0; i < 6; i += 1) {
      await call(svc.url, '/v1/keys/report', {
        token: worker,
        body: {
          tenantId: 'ratelimited',
          provider: 'openai',
          keyVersion: 1,
          outcome: 'rate_limited',
          retryAfterSeconds: 4,
        },
      });
    }
    await sleep(1_500); // past the 1 s cool-down, inside the 4 s retry-after
    const res = await call(svc.url, '/v1/keys/acquire', {
      token: worker,
      body: { tenantId: 'ratelimited', provider: 'openai' },
    });
    expect(res.status).toBe(423);
    expect(errorOf(res)).toMatchObject({ reason: 'rate_limited' });
    expect(Number(errorOf(res).retryAfterSeconds)).toBeGreaterThanOrEqual(1);
    expect(res.headers.get('retry-after')).toBe(String(errorOf(res).retryAfterSeconds));
  });

  it('should admit exactly one probe fleet-wide when 50 acquires race after the cool-down', async () => {
    await sleep(3_000); // now past the retry-after
    const results = await fireFromProcesses(
      spread(50, '/v1/keys/acquire', () => ({ tenantId: 'ratelimited', provider: 'openai' })),
      5,
    );
    const admitted = results.filter((r) => r.status === 200);
    expect(admitted).toHaveLength(1);
    expect(admitted[0]?.json).toMatchObject({ probe: true, keyVersion: 1 });
    const refused = results.filter((r) => r.status === 423);
    expect(refused).toHaveLength(49);
    expect(refused.every((r) => (r.json as { error: { code: string } }).error.code === 'TENANT_PAUSED')).toBe(
      true,
    );
  });

  it('should close the breaker when the probe reports success', async () => {
    const report = await call(svc.url, '/v1/keys/report', {
      token: worker,
      body: { tenantId: 'ratelimited', provider: 'openai', keyVersion: 1, outcome: 'success' },
    });
    expect(report.json).toEqual({ state: 'closed', tripped: false, consecutiveFailures: 0 });
    const res = await call(urls[1] ?? svc.url, '/v1/keys/acquire', {
      token: worker,
      body: { tenantId: 'ratelimited', provider: 'openai' },
    });
    expect(res.json).toMatchObject({ probe: false });
  });

  it('should re-open without a second trip when the probe is rate limited again', async () => {
    await storeKey('reprobe');
    for (let i = 0; i < 6; i += 1) {
      await call(svc.url, '/v1/keys/report', {
        token: worker,
        body: { tenantId: 'reprobe', provider: 'openai', keyVersion: 1, outcome: 'rate_limited' },
      });
    }
    await sleep(1_200);
    const probe = await call(svc.url, '/v1/keys/acquire', {
      token: worker,
      body: { tenantId: 'reprobe', provider: 'openai' },
    });
    expect(probe.json).toMatchObject({ probe: true });
    const report = await call(svc.url, '/v1/keys/report', {
      token: worker,
      body: {
        tenantId: 'reprobe',
        provider: 'openai',
        keyVersion: 1,
        outcome: 'rate_limited',
        retryAfterSeconds: 30,
      },
    });
    expect(report.json).toMatchObject({ state: 'open', tripped: false, consecutiveFailures: 7 });
    expect((report.json as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(29);
  });

  it('should let the next caller probe when the probe hit a non-key error', async () => {
    await storeKey('probe5xx');
    for (let i = 0; i < 6; i += 1) {
      await call(svc.url, '/v1/keys/report', {
        token: worker,
        body: { tenantId: 'probe5xx', provider: 'openai', keyVersion: 1, outcome: 'rate_limited' },
      });
    }
    await sleep(1_200);
    expect(
      (
        await call(svc.url, '/v1/keys/acquire', {
          token: worker,
          body: { tenantId: 'probe5xx', provider: 'openai' },
        })
      ).json,
    ).toMatchObject({ probe: true });
    expect(
      (
        await call(urls[1] ?? '', '/v1/keys/acquire', {
          token: worker,
          body: { tenantId: 'probe5xx', provider: 'openai' },
        })
      ).status,
    ).toBe(423);
    await call(svc.url, '/v1/keys/report', {
      token: worker,
      body: { tenantId: 'probe5xx', provider: 'openai', keyVersion: 1, outcome: 'server_error' },
    });
    const next = await call(urls[2] ?? '', '/v1/keys/acquire', {
      token: worker,
      body: { tenantId: 'probe5xx', provider: 'openai' },
    });
    expect(next.json).toMatchObject({ probe: true });
  });

  it('should not move the current breaker on reports about a superseded key version', async () => {
    await storeKey('stale');
    await storeKey('stale');
    for (let i = 0; i < 8; i += 1) {
      const res = await call(svc.url, '/v1/keys/report', {
        token: worker,
        body: { tenantId: 'stale', provider: 'openai', keyVersion: 1, outcome: 'auth_failure' },
      });
      expect((res.json as { tripped: boolean }).tripped).toBe(false);
    }
    const status = await call(svc.url, '/v1/keys/status', {
      token: worker,
      body: { tenantId: 'stale', provider: 'openai' },
    });
    expect(status.json).toEqual({ state: 'closed', paused: false, keyVersion: 2, provider: 'openai' });
  });

  it('should write an audit row for every report and acquire, naming the caller and never the key', async () => {
    const { rows } = await db.query<{ actor: string; action: string; n: string }>(
      "SELECT actor, action, count(*) AS n FROM audit_log WHERE tenant_id = 'fleet' GROUP BY actor, action",
    );
    const reports = rows.filter((r) => r.action === 'report').reduce((n, r) => n + Number(r.n), 0);
    expect(reports).toBe(50);
    expect(
      rows.every(
        (r) => r.actor === 'admin' || r.actor.startsWith('system:serviceaccount:apexseo:eeat-worker'),
      ),
    ).toBe(true);
  });
});
