/**
 * The real `auditSite` workflow code on the harness's Temporal dev server (through Temporal's test environment), run
 * by a worker whose activities are stubs standing in for the stores and the site.
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { afterAll, beforeAll } from 'vitest';
import { useServices } from '../../../../test/harness/index.js';
import { workflowsModulePath } from '../../src/worker/eeat-worker.js';
import type { AuditActivities, LlmRatingActivities } from '../../src/workflows/audit-activities-contract.js';

/** Opens a test environment on the harness's Temporal before the suite and tears it down after; call in `describe`. */
export function useTestWorkflowEnvironment(): () => TestWorkflowEnvironment {
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    const { temporal } = await useServices('temporal');
    env = await TestWorkflowEnvironment.createFromExistingServer({
      address: temporal.address,
      namespace: temporal.namespace,
    });
  }, 120_000);
  afterAll(async () => {
    await env?.teardown();
  });
  return () => {
    if (env === undefined) throw new Error('the test workflow environment is not open (outside the suite?)');
    return env;
  };
}

/** A worker running the real workflows with stub activities, polling a task queue of its own. */
export async function createStubWorker(
  env: TestWorkflowEnvironment,
  queuePrefix: string,
  activities: AuditActivities & LlmRatingActivities,
  options: Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions'> = {},
): Promise<{ worker: Worker; taskQueue: string }> {
  const taskQueue = `${queuePrefix}-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowsPath: workflowsModulePath(),
    activities,
    ...options,
  });
  return { worker, taskQueue };
}

/** `beginAudit` answering with the audit's scope on `siteKey`, started at a fixed time. */
export function stubBeginAudit(siteKey: string): AuditActivities['beginAudit'] {
  return (input) =>
    Promise.resolve({
      tenantId: input.tenantId,
      plan: input.plan,
      auditId: input.auditId,
      siteUrl: input.siteUrl,
      siteKey,
      startedAt: '2026-12-01T00:00:00.000Z',
    });
}
