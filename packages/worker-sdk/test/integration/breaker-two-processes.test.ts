import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantIdSearchAttribute, planSearchAttribute } from '../../src/workflow.js';
import type { ScoreInput, scoreOnce } from './fixtures/workflows.js';
import { spawnWorker, startPlatform, type Platform, type WorkerProcess } from './platform.js';

const REVOKED_KEY = 'sk-fleet-revoked-key-9a8b7c6d5e4f';
const stamp = Date.now();
const QUEUES = [`sdk-fleet-a-${stamp}`, `sdk-fleet-b-${stamp}`] as const;

let platform: Platform;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  platform = await startPlatform('sdk_fleet');
  await platform.putKey('tenant-fleet', 'openai', REVOKED_KEY);
  platform.llm.setDefault(REVOKED_KEY, { kind: 'auth_error' });
  for (const [i, queue] of QUEUES.entries())
    workers.push(spawnWorker(platform.workerEnv(queue, { WORKER_IDENTITY: `fleet-worker-${i}` })));
  await Promise.all(workers.map((w) => w.ready));
}, 300_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await platform?.close();
});

describe('fleet-wide key breaker across two worker processes', () => {
  it('should trip on the 6th key failure and stop every process from calling the provider', async () => {
    const input: ScoreInput = { tenantId: 'tenant-fleet', plan: 'ltd', provider: 'openai', text: 'x' };
    const results: { queue: string; type?: string }[] = [];
    // One logical call at a time, alternating between the two processes.
    for (let i = 0; i < 8; i++) {
      const queue = QUEUES[i % 2] as string;
      const outcome = await platform.client.workflow.execute<typeof scoreOnce>('scoreOnce', {
        taskQueue: queue,
        workflowId: `fleet-${stamp}-${i}`,
        args: [input],
        typedSearchAttributes: [
          { key: tenantIdSearchAttribute, value: input.tenantId },
          { key: planSearchAttribute, value: input.plan },
        ],
      });
      results.push({ queue, ...(outcome.type ? { type: outcome.type } : {}) });
    }
    expect(results.map((r) => r.type)).toEqual([
      'LlmKeyRejected',
      'LlmKeyRejected',
      'LlmKeyRejected',
      'LlmKeyRejected',
      'LlmKeyRejected',
      'TenantPaused',
      'TenantPaused',
      'TenantPaused',
    ]);
    expect(platform.llm.calls(REVOKED_KEY)).toBe(6);
    expect(await platform.keyStatus('tenant-fleet', 'openai')).toMatchObject({ state: 'open', paused: true });
    // Exactly one process was told "tripped" and started the pause of the tenant's workflows.
    const trippers = workers.filter((w) =>
      w.output().includes('key breaker tripped: pausing tenant workflows'),
    );
    expect(trippers).toHaveLength(1);
    // Each process made provider calls (the failures were spread over both).
    for (const w of workers) expect(w.output()).toContain('LLM call failed');
    for (const w of workers) expect(w.output()).not.toContain(REVOKED_KEY);
  }, 240_000);
});
