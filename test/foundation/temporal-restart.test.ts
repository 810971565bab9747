import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTemporal, type RunningTemporal } from '../harness/index.js';
import { composeGreeting } from './fixtures/temporal/greeting-activities.js';

// Worker state changes are logged at INFO; keep the run's output for real problems. The runtime is per
// process and may already exist when files share a worker process, hence the guard.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed in this process: its logger stays.
}

const workflowsPath = fileURLToPath(new URL('./fixtures/temporal/greeting-workflows.ts', import.meta.url));

// A private server (not the shared one from useServices) because this test restarts it.
describe('startTemporal().restart()', () => {
  let temporal: RunningTemporal;

  beforeAll(async () => {
    temporal = await startTemporal();
  });

  afterAll(async () => {
    await temporal?.stop();
  });

  it('should keep a running workflow across a restart of the dev server', async () => {
    const { address, namespace } = temporal.settings;
    const taskQueue = `foundation-restart-${crypto.randomUUID()}`;

    const before = await Connection.connect({ address });
    await new Client({ connection: before, namespace }).workflow.start('gatedWorkflow', {
      taskQueue,
      workflowId: taskQueue,
      args: ['audit-1'],
    });
    await before.close();

    await temporal.restart();

    const connection = await Connection.connect({ address });
    const workerConnection = await NativeConnection.connect({ address });
    try {
      const client = new Client({ connection, namespace });
      const worker = await Worker.create({
        connection: workerConnection,
        namespace,
        taskQueue,
        workflowBundle: await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') }),
        activities: { composeGreeting },
      });
      const handle = client.workflow.getHandle<() => Promise<string>>(taskQueue);
      const result = await worker.runUntil(async () => {
        await handle.signal('release', 'after-restart');
        return handle.result();
      });
      expect(result).toBe('audit-1 released by after-restart');
    } finally {
      await workerConnection.close();
      await connection.close();
    }
  });
});
