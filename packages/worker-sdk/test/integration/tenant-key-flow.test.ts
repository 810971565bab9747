import { fileURLToPath } from 'node:url';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, resumeTenantWorkflows, type ApexWorker, type LlmProvider } from '../../src/index.js';
import {
  planSearchAttribute,
  tenantIdSearchAttribute,
  tenantParkedSearchAttribute,
} from '../../src/workflow.js';
import * as activities from './fixtures/activities.js';
import type { ScoreInput } from './fixtures/workflows.js';
import { freePort, waitUntil } from '../../../../test/harness/index.js';
import { startPlatform, type Platform } from './platform.js';

const workflowsPath = fileURLToPath(new URL('./fixtures/workflows.ts', import.meta.url));
const TASK_QUEUE = `sdk-flow-${Date.now()}`;
const GOOD_KEY = 'sk-good-tenant-key-7f3a9c2e41d8b6';
const REVOKED_KEY = 'sk-revoked-tenant-key-0c9e8d7f6a5b';
const NEW_KEY = 'sk-replacement-tenant-key-5d4c3b2a1f';

let platform: Platform;
let worker: ApexWorker;
let running: Promise<void>;
let coreMetricsPort: number;

function start(
  workflow: 'scoreWithPause' | 'scoreOnce' | 'scoreOrFail',
  id: string,
  input: ScoreInput,
): Promise<WorkflowHandle> {
  return platform.client.workflow.start(workflow, {
    taskQueue: TASK_QUEUE,
    workflowId: `${id}-${Date.now()}`,
    args: [input],
    typedSearchAttributes: [
      { key: tenantIdSearchAttribute, value: input.tenantId },
      { key: planSearchAttribute, value: input.plan },
    ],
  });
}

function scoreInput(
  tenantId: string,
  plan: ScoreInput['plan'],
  provider: LlmProvider,
  text = 'x',
): ScoreInput {
  return { tenantId, plan, provider, text };
}

/** The /metrics text on `port` once it contains `series` (the worker exports on its own schedule). */
function metricsWith(port: number, series: string): Promise<string> {
  return waitUntil(
    async () => {
      const text = await (await request(`http://127.0.0.1:${port}/metrics`)).body.text();
      return text.includes(series) ? text : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

beforeAll(async () => {
  platform = await startPlatform('sdk_flow');
  await platform.putKey('tenant-good', 'openai', GOOD_KEY);
  platform.llm.setDefault(GOOD_KEY, { kind: 'ok', json: { score: 87 } });
  coreMetricsPort = await freePort();
  worker = await createWorker({
    config: platform.config(TASK_QUEUE, { metrics: { temporalPort: coreMetricsPort } }),
    activities,
    workflowsPath,
  });
  running = worker.run();
});

afterAll(async () => {
  await worker?.shutdown();
  await running;
  await platform?.close();
});

describe('LLM activities on a createWorker() worker (real Temporal, real key service)', () => {
  it('should call the provider with the tenant key and never write the key to workflow history', async () => {
    const handle = await start(
      'scoreWithPause',
      'history',
      scoreInput('tenant-good', 'mrr', 'openai', 'About us'),
    );
    expect(await handle.result()).toBe(87);
    expect(platform.llm.calls(GOOD_KEY)).toBeGreaterThanOrEqual(1);

    // The history as JSON (payload bytes appear base64-encoded), and again with every base64 string decoded.
    const history = await handle.fetchHistory();
    const raw = JSON.stringify(history);
    const decoded = raw.replace(/"([A-Za-z0-9+/]{8,}={0,2})"/g, (_m, b64: string) =>
      JSON.stringify(Buffer.from(b64, 'base64').toString('utf8')),
    );
    expect(history.events?.length).toBeGreaterThan(5);
    expect(decoded).toContain('tenant-good');
    expect(decoded).toContain('score');
    for (const text of [raw, decoded]) {
      expect(text).not.toContain(GOOD_KEY);
      expect(text).not.toContain(GOOD_KEY.slice(0, 12));
      expect(text).not.toContain(Buffer.from(GOOD_KEY).toString('base64'));
    }
  });

  it('should park workflows of a tenant whose key is revoked and resume them after the tenant is resumed', async () => {
    await platform.putKey('tenant-revoked', 'openai', REVOKED_KEY);
    platform.llm.setDefault(REVOKED_KEY, { kind: 'auth_error' });
    const input = (i: number): ScoreInput => ({
      tenantId: 'tenant-revoked',
      plan: 'mrr',
      provider: 'openai',
      text: `page ${i}`,
      // The first three resume on their durable re-check alone; the others wait for the resume signal.
      recheck: i < 3 ? '3 seconds' : '1 hour',
    });
    const handles = await Promise.all(
      Array.from({ length: 6 }, (_, i) => start('scoreWithPause', `revoked-${i}`, input(i))),
    );

    const parkedQuery = `TenantId = 'tenant-revoked' AND TenantParked = true AND ExecutionStatus = 'Running'`;
    await waitUntil(async () => (await platform.client.workflow.count(parkedQuery)).count === 6, {
      timeoutMs: 90_000,
      intervalMs: 500,
    });
    // Six key failures opened the breaker; after that no call reached the provider with the revoked key.
    expect(platform.llm.calls(REVOKED_KEY)).toBe(6);
    expect(await platform.keyStatus('tenant-revoked', 'openai')).toMatchObject({
      state: 'open',
      paused: true,
    });

    // A workflow started while the tenant is paused parks too, without a provider call.
    const late = await start('scoreWithPause', 'revoked-late', { ...input(9), recheck: '1 hour' });
    await waitUntil(
      async () => (await late.describe()).typedSearchAttributes.get(tenantParkedSearchAttribute) === true,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(platform.llm.calls(REVOKED_KEY)).toBe(6);

    // The tenant saves a new key and is resumed in the key service, without signals yet.
    await platform.putKey('tenant-revoked', 'openai', NEW_KEY);
    platform.llm.setDefault(NEW_KEY, { kind: 'ok', json: { score: 64 } });
    await platform.resumeTenant('tenant-revoked');
    const recheckers = handles.slice(0, 3);
    expect(await Promise.all(recheckers.map((h) => h.result()))).toEqual([64, 64, 64]);
    for (const h of [...handles.slice(3), late]) expect((await h.describe()).status.name).toBe('RUNNING');

    // The resume signal reaches the rest through a batch operation on TenantId.
    await resumeTenantWorkflows(platform.client, 'tenant-revoked');
    expect(await Promise.all([...handles.slice(3), late].map((h) => h.result()))).toEqual([64, 64, 64, 64]);
    for (const h of handles)
      expect((await h.describe()).typedSearchAttributes.get(tenantParkedSearchAttribute)).toBe(false);
    expect(platform.llm.calls(REVOKED_KEY)).toBe(6);
  }, 240_000);

  it('should retry 5xx and overload inside one logical call without counting them toward the breaker', async () => {
    const key = 'sk-flaky-provider-key-3e4f5a6b7c8d';
    await platform.putKey('tenant-flaky', 'openai', key);
    platform.llm.script(
      key,
      { kind: 'server_error', status: 502 },
      { kind: 'overloaded' },
      { kind: 'ok', json: { score: 70 } },
    );
    const handle = await start('scoreOnce', 'flaky', scoreInput('tenant-flaky', 'mrr', 'openai'));
    expect(await handle.result()).toEqual({ ok: true, score: 70 });
    expect(platform.llm.calls(key)).toBe(3);
    expect(await platform.keyStatus('tenant-flaky', 'openai')).toMatchObject({
      state: 'closed',
      paused: false,
    });
  });

  it('should turn a 429 into a retryable LlmRateLimited failure that honours retry-after', async () => {
    const key = 'sk-ratelimited-key-9f8e7d6c5b4a';
    await platform.putKey('tenant-limited', 'anthropic', key);
    platform.llm.script(key, { kind: 'rate_limited', retryAfterSeconds: 2 });
    const once = await start('scoreOnce', 'limited-once', scoreInput('tenant-limited', 'ltd', 'anthropic'));
    expect(await once.result()).toEqual({ ok: false, type: 'LlmRateLimited' });

    platform.llm.script(
      key,
      { kind: 'rate_limited', retryAfterSeconds: 3 },
      { kind: 'ok', json: { score: 12 } },
    );
    const retried = await start(
      'scoreWithPause',
      'limited',
      scoreInput('tenant-limited', 'ltd', 'anthropic'),
    );
    expect(await retried.result()).toBe(12);
    expect(platform.llm.calls(key)).toBe(3);
    const events = (await retried.fetchHistory()).events ?? [];
    const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes);
    const started = events.find((e) => e.activityTaskStartedEventAttributes);
    expect(Number(started?.activityTaskStartedEventAttributes?.attempt)).toBe(2);
    // The retry waited for the provider's retry-after (3 s), not the policy's 1 s initial interval.
    const waitedMs =
      Number(started?.eventTime?.seconds) * 1000 - Number(scheduled?.eventTime?.seconds) * 1000;
    expect(waitedMs).toBeGreaterThanOrEqual(2_000);
  });

  it('should fail a workflow with a typed KeyNotFound failure when the tenant has no key', async () => {
    const handle = await start('scoreOnce', 'nokey', scoreInput('tenant-without-key', 'ltd', 'anthropic'));
    expect(await handle.result()).toEqual({ ok: false, type: 'KeyNotFound' });
  });

  it('should expose the documented metrics with tenant, plan, provider and error_class labels on /metrics', async () => {
    await platform.putKey('tenant-badreq', 'anthropic', 'sk-ant-badreq-key-11223344');
    platform.llm.setDefault('sk-ant-badreq-key-11223344', { kind: 'bad_request' });
    const failing = await start('scoreOrFail', 'badreq', scoreInput('tenant-badreq', 'mrr', 'anthropic'));
    await expect(failing.result()).rejects.toBeInstanceOf(WorkflowFailedError);

    const text = await metricsWith(worker.metricsPort, 'temporal_workflow_failed_count{');
    expect(text).toContain(
      `temporal_workflow_failed_count{error_type="LlmBadRequest",workflow_type="scoreOrFail",task_queue="${TASK_QUEUE}"} 1`,
    );
    expect(text).toMatch(/llm_api_requests_total\{tenant="tenant-good",plan="mrr",provider="openai"\} [1-9]/);
    expect(text).toMatch(
      /llm_api_errors_total\{tenant="tenant-revoked",plan="mrr",provider="openai",error_class="auth_failure"\} 6/,
    );
    expect(text).toMatch(
      /llm_api_errors_total\{tenant="tenant-badreq",plan="mrr",provider="anthropic",error_class="bad_request"\} 1/,
    );
    expect(text).toMatch(
      new RegExp(`worker_queue_latency_count\\{task_queue="${TASK_QUEUE}",kind="activity"\\} [1-9]`),
    );
    expect(text).toMatch(
      new RegExp(`worker_queue_latency_count\\{task_queue="${TASK_QUEUE}",kind="workflow"\\} [1-9]`),
    );
    for (const key of [GOOD_KEY, REVOKED_KEY, NEW_KEY]) expect(text).not.toContain(key);
  });

  it("should export Temporal Core's own metrics on the Temporal metrics port", async () => {
    const text = await metricsWith(coreMetricsPort, 'temporal_workflow_completed');
    expect(text).toMatch(
      new RegExp(`temporal_workflow_completed\\{[^}]*task_queue="${TASK_QUEUE}"[^}]*\\} [1-9]`),
    );
    expect(text).toContain('temporal_activity_execution_latency');
  });

  it('should answer /readyz 200 while the worker polls', async () => {
    const res = await request(`http://127.0.0.1:${worker.metricsPort}/readyz`);
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  });
});
