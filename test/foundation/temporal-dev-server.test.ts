import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporalSearchAttributes, useServices, type TemporalSettings } from '../harness/index.js';
import { composeGreeting } from './fixtures/temporal/greeting-activities.js';

// Worker state changes are logged at INFO; keep the run's output for real problems. The runtime is per
// process and may already exist when files share a worker process, hence the guard.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed in this process: its logger stays.
}

const workflowsPath = fileURLToPath(new URL('./fixtures/temporal/greeting-workflows.ts', import.meta.url));

describe('Temporal dev server (harness)', () => {
  let temporal: TemporalSettings;
  let bundle: WorkflowBundleWithSourceMap;
  let connection: Connection;
  let client: Client;

  beforeAll(async () => {
    ({ temporal } = await useServices('temporal'));
    bundle = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection, namespace: temporal.namespace });
  });

  afterAll(async () => {
    await connection?.close();
  });

  it('should run a workflow with an activity to completion on the real dev server', async () => {
    const workerConnection = await NativeConnection.connect({ address: temporal.address });
    const taskQueue = `foundation-smoke-${crypto.randomUUID()}`;
    try {
      const worker = await Worker.create({
        connection: workerConnection,
        namespace: temporal.namespace,
        taskQueue,
        workflowBundle: bundle,
        activities: { composeGreeting },
      });
      const result: string = await worker.runUntil(
        client.workflow.execute<(name: string) => Promise<string>>('greetingWorkflow', {
          taskQueue,
          workflowId: taskQueue,
          args: ['ApexSEO'],
        }),
      );
      expect(result).toMatch(/^Hello, ApexSEO! \(pid \d+\)$/);
      const description = await client.workflow.getHandle(taskQueue).describe();
      expect(description.status.name).toBe('COMPLETED');
      console.info(`[foundation] Temporal ${temporal.address}: workflow ${taskQueue} completed: ${result}`);
    } finally {
      await workerConnection.close();
    }
  });

  it("should have the platform's search attributes registered on the namespace", async () => {
    const response = await connection.operatorService.listSearchAttributes({ namespace: temporal.namespace });
    const registered = Object.keys(response.customAttributes ?? {});
    expect(registered).toEqual(expect.arrayContaining(Object.keys(temporalSearchAttributes)));
  });

  it('should store TenantId and Plan on a started workflow', async () => {
    const tenantKey = defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD);
    const planKey = defineSearchAttributeKey('Plan', SearchAttributeType.KEYWORD);
    const workflowId = `foundation-attrs-${crypto.randomUUID()}`;
    const handle = await client.workflow.start('greetingWorkflow', {
      taskQueue: 'foundation-no-worker',
      workflowId,
      args: ['nobody'],
      typedSearchAttributes: new TypedSearchAttributes([
        { key: tenantKey, value: 'tenant-42' },
        { key: planKey, value: 'mrr' },
      ]),
    });
    try {
      const description = await handle.describe();
      expect(description.typedSearchAttributes.get(tenantKey)).toBe('tenant-42');
      expect(description.typedSearchAttributes.get(planKey)).toBe('mrr');
    } finally {
      await handle.terminate('smoke test done');
    }
  });
});
