/**
 * The testing kit (`@apexseo/worker-sdk/testing`) as an activity author uses it, on the harness's Temporal dev
 * server: scripted provider answers and failures reach the activity through the SDK's real key-service client and
 * transports; a revoked key parks the workflow, no provider call follows the trip, and a new key resumes it; a pause
 * signal during a retry backoff parks without another key-service call; readiness follows the worker's token.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServices } from '../../../../test/harness/index.js';
import { ConfigError, pauseTenantWorkflows } from '../../src/index.js';
import { createTestEnvironment, LocalKeyService, type TestEnvironment } from '../../src/testing.js';
import * as activities from './fixtures/activities.js';
import type { rateTextWorkflow } from './fixtures/workflows.js';

const workflowsPath = fileURLToPath(new URL('./fixtures/workflows.ts', import.meta.url));
let env: TestEnvironment;

beforeAll(async () => {
  const { temporal } = await useServices('temporal');
  // Trip on the second rejected call (the production default is the sixth) to keep the test short.
  env = await createTestEnvironment({ temporal: temporal, keyService: { failureThreshold: 1 } });
  await env.startWorker({ activities, workflowsPath });
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

const rate = (tenantId: string, text = 'We cite our sources.', recheck?: string) =>
  env.startWorkflow<typeof rateTextWorkflow>('rateTextWorkflow', {
    tenantId,
    args: [{ tenantId, plan: 'mrr', text, ...(recheck ? { recheck } : {}) }],
  });

describe('testing kit', () => {
  it('should answer with the scripted result through the tenant key, the provider chosen by the key service', async () => {
    env.keys.putKey('kit-ok', 'anthropic', 'sk-ant-kit-ok-0001');
    env.llm.script('sk-ant-kit-ok-0001', { kind: 'ok', json: { score: 77 } });
    const result = await (await rate('kit-ok')).result();
    expect(result).toEqual({ score: 77, provider: 'anthropic' });
    expect(env.llm.requests('sk-ant-kit-ok-0001').map((r) => r.api)).toEqual(['anthropic']);
    const ops = env.keys.calls('kit-ok').map((c) => `${c.op}:${c.status}${c.outcome ? `:${c.outcome}` : ''}`);
    expect(ops).toEqual(['status:200', 'acquire:200', 'report:200:success']);
  });

  it('should retry 5xx, malformed answers and a 429 with retry-after until the scripted success', async () => {
    env.keys.putKey('kit-flaky', 'openai', 'sk-kit-flaky-0001');
    env.llm.script(
      'sk-kit-flaky-0001',
      { kind: 'server_error', status: 502 },
      { kind: 'malformed' },
      { kind: 'ok', json: { score: 40 } },
      { kind: 'rate_limited', retryAfterSeconds: 1 },
      { kind: 'ok', json: { score: 41 } },
    );
    expect((await (await rate('kit-flaky')).result()).score).toBe(40);
    const started = Date.now();
    expect((await (await rate('kit-flaky')).result()).score).toBe(41);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(env.llm.requests('sk-kit-flaky-0001').map((r) => r.answered)).toEqual([
      'server_error',
      'malformed',
      'ok',
      'rate_limited',
      'ok',
    ]);
    expect(env.keys.trips('kit-flaky')).toEqual([]);
  });

  it('should park a revoked-key tenant with no provider call after the trip, and resume it with a new key', async () => {
    env.keys.putKey('kit-revoked', 'openai', 'sk-kit-revoked-old1');
    env.llm.setDefault('sk-kit-revoked-old1', { kind: 'auth_error' });
    const handle = await rate('kit-revoked');
    await env.waitForParked(handle, { timeoutMs: 60_000 });
    expect(env.keys.trips('kit-revoked')).toHaveLength(1);
    env.assertNoProviderCallAfterTrip('kit-revoked');
    expect(env.llm.calls('sk-kit-revoked-old1')).toBe(2);

    env.keys.putKey('kit-revoked', 'openai', 'sk-kit-revoked-new2');
    env.llm.setDefault('sk-kit-revoked-new2', { kind: 'ok', json: { score: 63 } });
    await env.resumeTenant('kit-revoked');
    await env.waitForResumed(handle);
    expect(await handle.result()).toEqual({ score: 63, provider: 'openai' });
    expect(env.providerCallsAfterTrip('kit-revoked')).toBe(0);
    expect(env.llm.calls('sk-kit-revoked-old1')).toBe(2);
  }, 120_000);

  it('should park on a pause signal that arrives during a retry backoff without another key-service call', async () => {
    env.keys.putKey('kit-backoff', 'openai', 'sk-kit-backoff-0001');
    // A 429 whose retry-after (60 s) makes the activity wait for its next attempt.
    env.llm.setDefault('sk-kit-backoff-0001', { kind: 'rate_limited', retryAfterSeconds: 60 });
    const handle = await rate('kit-backoff');
    const deadline = Date.now() + 30_000;
    while (env.llm.calls('sk-kit-backoff-0001') === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    const acquiresBefore = env.keys.calls('kit-backoff').filter((c) => c.op === 'acquire').length;
    expect(acquiresBefore).toBe(1);

    await pauseTenantWorkflows(env.client, { tenantId: 'kit-backoff', reason: 'paused by the app' });
    await env.waitForParked(handle, { timeoutMs: 10_000 });
    // The activity's next attempt was due in 60 s; parking cancelled it instead.
    const description = await handle.describe();
    expect(description.raw.pendingActivities ?? []).toEqual([]);
    expect(env.keys.calls('kit-backoff').filter((c) => c.op === 'acquire')).toHaveLength(acquiresBefore);
    await handle.terminate('test done');
  }, 60_000);

  it('should report not ready while the key service refuses the worker token, and ready once it accepts it', async () => {
    const other = await LocalKeyService.start();
    try {
      const foreign = join(env.tokenFile, '..', 'foreign-token');
      await writeFile(foreign, other.mintToken());
      const worker = await env.startWorker({
        activities,
        taskQueue: `${env.taskQueue}-refused`,
        config: { keyService: { tokenFile: foreign } },
      });
      const readyz = async () => (await fetch(`http://127.0.0.1:${worker.metricsPort}/readyz`)).status;
      expect(await readyz()).toBe(503);
      const healthy = await env.startWorker({ activities, taskQueue: `${env.taskQueue}-accepted` });
      expect((await fetch(`http://127.0.0.1:${healthy.metricsPort}/readyz`)).status).toBe(200);
      await worker.shutdown();
      await healthy.shutdown();
    } finally {
      await other.close();
    }
  });

  it('should refuse a missing token file when the configuration loads, naming the field', () => {
    const attempt = () =>
      env.workerConfig({ keyService: { tokenFile: join(env.tokenFile, '..', 'absent') } });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      /keyService\.tokenFile \(APEXSEO_KEY_SERVICE_TOKEN_FILE\): token file \S+absent does not exist/,
    );
  });
});
