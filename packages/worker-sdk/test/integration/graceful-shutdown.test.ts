import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker } from '../../src/index.js';
import { planSearchAttribute, tenantIdSearchAttribute } from '../../src/workflow.js';
import * as activities from './fixtures/activities.js';
import { waitUntil } from '../../../../test/harness/index.js';
import { spawnWorker, startPlatform, type Platform } from './platform.js';

const SLOW_KEY = 'sk-slow-provider-key-55aa66bb77cc';
const TASK_QUEUE = `sdk-shutdown-${Date.now()}`;
let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform('sdk_shutdown');
  await platform.putKey('tenant-slow', 'openai', SLOW_KEY);
  platform.llm.setDefault(SLOW_KEY, { kind: 'ok', json: { score: 55 }, delayMs: 4_000 });
}, 300_000);

afterAll(async () => {
  await platform?.close();
});

describe('graceful shutdown', () => {
  it('should let an in-flight activity finish after SIGTERM, then exit 0', async () => {
    const worker = spawnWorker(platform.workerEnv(TASK_QUEUE, { APEXSEO_SHUTDOWN_GRACE_SECONDS: '20' }));
    await worker.ready;
    const input = { tenantId: 'tenant-slow', plan: 'mrr', provider: 'openai', text: 'long page' } as const;
    const handle = await platform.client.workflow.start('scoreOnce', {
      taskQueue: TASK_QUEUE,
      workflowId: `shutdown-${Date.now()}`,
      args: [input],
      typedSearchAttributes: [
        { key: tenantIdSearchAttribute, value: input.tenantId },
        { key: planSearchAttribute, value: input.plan },
      ],
    });
    // The provider request is in flight (the stand-in holds its answer for 4 s).
    await waitUntil(() => platform.llm.calls(SLOW_KEY) === 1, { timeoutMs: 60_000, intervalMs: 50 });
    const signalledAt = Date.now();
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(20_000);
    expect(worker.output()).toContain('WORKER_EXITED');

    // The activity's completion reached Temporal before the process exited.
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.some((e) => e.activityTaskCompletedEventAttributes)).toBe(true);
    expect(
      events.some((e) => e.activityTaskFailedEventAttributes || e.activityTaskTimedOutEventAttributes),
    ).toBe(false);

    // Another worker finishes the workflow with the activity's result.
    const next = await createWorker({
      config: platform.config(TASK_QUEUE),
      activities,
      workflowsPath: fileURLToPath(new URL('./fixtures/workflows.ts', import.meta.url)),
    });
    const running = next.run();
    expect(await handle.result()).toEqual({ ok: true, score: 55 });
    await next.shutdown();
    await running;
  }, 240_000);
});
