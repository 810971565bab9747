import { fileURLToPath } from 'node:url';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServices } from '../../../../test/harness/index.js';
import { PAGE_STOPS_WORKERS } from '../../src/workflows/platform-failure-types.js';
import { uniqueSuffix } from '../support/stores.js';
import type { stallingStep } from './support/lost-worker-workflows.js';

/**
 * A heartbeat timeout is waited out as a lost worker, but not for ever: a step whose every round of attempts loses
 * its worker is the page's failure (`PageStopsWorkers`, recorded as `error: too complex`), while a step that lost
 * its worker once completes on the next round.
 */
describe('untilPlatformRecovers and lost workers', () => {
  const taskQueue = `lost-worker-${uniqueSuffix()}`;
  const stalls = new Map<string, number>();
  let worker: Worker;
  let running: Promise<void>;
  let client: Client;
  let connection: Connection;
  let workerConnection: NativeConnection;

  beforeAll(async () => {
    const { temporal } = await useServices('temporal');
    workerConnection = await NativeConnection.connect({ address: temporal.address });
    worker = await Worker.create({
      connection: workerConnection,
      namespace: temporal.namespace,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('./support/lost-worker-workflows.ts', import.meta.url)),
      activities: {
        async stall(input: { key: string; ms: number; times: number }): Promise<string> {
          const seen = stalls.get(input.key) ?? 0;
          stalls.set(input.key, seen + 1);
          if (seen < input.times) await new Promise((resolve) => setTimeout(resolve, input.ms));
          return 'done';
        },
      },
    });
    running = worker.run();
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection, namespace: temporal.namespace });
  }, 300_000);

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await connection?.close();
    await workerConnection?.close();
  });

  const run = (key: string, times: number) =>
    client.workflow.execute<typeof stallingStep>('stallingStep', {
      taskQueue,
      workflowId: `${taskQueue}-${key}`,
      args: [{ key, times }],
      workflowExecutionTimeout: '3 minutes',
    });

  it('should wait out a worker lost once and complete the step on the next round', async () => {
    await expect(run('once', 1)).resolves.toBe('done');
    expect(stalls.get('once')).toBe(2);
  }, 120_000);

  it('should fail the step as the page’s after two rounds that each lost the worker', async () => {
    const error = await run('always', 1_000).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe(PAGE_STOPS_WORKERS);
    expect(stalls.get('always')).toBe(2);
  }, 120_000);
});
