/**
 * Samples a task queue's backlog the way the KEDA temporal scaler (v2.20+, unversioned mode) does:
 * WorkflowService.DescribeTaskQueue with reportStats for each queue type, summing approximateBacklogCount.
 * The server caches these stats for about 5 s, so sampling faster than every 2 s only repeats values.
 */
import type { Connection } from '@temporalio/client';
import protos from '@temporalio/proto';
import type { temporal } from '@temporalio/proto';

// @temporalio/proto is CommonJS: its namespaces are reached through the default export under ESM.
const { enums } = protos.temporal.api;

export type QueueType = 'workflow' | 'activity';

export interface BacklogSample {
  /** ms since the run's clock started */
  readonly t: number;
  readonly queue: string;
  readonly workflow: number;
  readonly activity: number;
}

const queueTypeEnum: Record<QueueType, temporal.api.enums.v1.TaskQueueType> = {
  workflow: enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  activity: enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
};

export async function describeBacklog(
  connection: Connection,
  queue: string,
  type: QueueType,
): Promise<number> {
  const response = await connection.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: queue, kind: enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: queueTypeEnum[type],
    reportStats: true,
  });
  const count = response.stats?.approximateBacklogCount;
  return count === undefined || count === null ? 0 : Number(count);
}

export async function countPollers(connection: Connection, queue: string, type: QueueType): Promise<number> {
  const response = await connection.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: queue, kind: enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: queueTypeEnum[type],
  });
  return response.pollers?.length ?? 0;
}

/** Polls every `intervalMs` until stopped; a failed poll is recorded as a gap, never as a zero. */
export function startBacklogPoller(
  connection: Connection,
  queues: readonly string[],
  t0: number,
  intervalMs: number,
): { samples: BacklogSample[]; errors: number; stop(): Promise<void> } {
  const state = { samples: [] as BacklogSample[], errors: 0, stopped: false };
  const loop = (async () => {
    while (!state.stopped) {
      const started = Date.now();
      for (const queue of queues) {
        try {
          const [workflow, activity] = await Promise.all([
            describeBacklog(connection, queue, 'workflow'),
            describeBacklog(connection, queue, 'activity'),
          ]);
          state.samples.push({ t: Date.now() - t0, queue, workflow, activity });
        } catch {
          state.errors += 1;
        }
      }
      const wait = intervalMs - (Date.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return {
    samples: state.samples,
    get errors() {
      return state.errors;
    },
    async stop() {
      state.stopped = true;
      await loop;
    },
  };
}
