import type { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { temporalSearchAttributes } from '../../harness/index.js';

const { TaskQueueKind, TaskQueueType, CommandType, IndexedValueType } = temporal.api.enums.v1;
/** Longer than the server's long-poll timeout (about 60 s), so an idle poll ends with an empty answer. */
const pollDeadlineMs = 70_000;

/**
 * Registers a Temporal namespace of its own for a test, with the platform's search attributes (docs/architecture.md),
 * and waits until the frontend serves it.
 */
export async function registerNamespace(connection: Connection, namespace: string): Promise<void> {
  await connection.workflowService
    .registerNamespace({ namespace, workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(86_400) } })
    .catch((error: unknown) => {
      if (!(error instanceof Error && /already exists|AlreadyExists/i.test(error.message))) throw error;
    });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await connection.workflowService.describeNamespace({ namespace });
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  await connection.operatorService
    .addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        Object.entries(temporalSearchAttributes).map(([name, type]) => [
          name,
          type === 'Bool'
            ? IndexedValueType.INDEXED_VALUE_TYPE_BOOL
            : IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        ]),
      ),
    })
    .catch((error: unknown) => {
      if (!(error instanceof Error && /already exists|AlreadyExists/i.test(error.message))) throw error;
    });
}

/** Starts `count` workflows nobody polls yet: a backlog on `taskQueue`. */
export async function startBacklog(
  client: Client,
  taskQueue: string,
  count: number,
  idPrefix: string,
): Promise<void> {
  const ids = Array.from({ length: count }, (_, i) => `${idPrefix}-${i}`);
  for (let i = 0; i < ids.length; i += 20) {
    await Promise.all(
      ids
        .slice(i, i + 20)
        .map((workflowId) => client.workflow.start('AuditWorkflow', { taskQueue, workflowId, args: [] })),
    );
  }
}

/** The server's approximate backlog of workflow tasks on a task queue (what KEDA's temporal scaler reads). */
export async function workflowBacklog(
  connection: Connection,
  namespace: string,
  taskQueue: string,
): Promise<number> {
  const response = await connection.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    reportStats: true,
  });
  return Number(response.stats?.approximateBacklogCount ?? 0);
}

/**
 * Completes every workflow that reaches `taskQueue` until `signal` aborts: a minimal worker speaking Temporal's
 * polling API directly (poll a workflow task, answer "complete the workflow"), so draining a backlog costs
 * almost nothing. Resolves with the number of workflows it completed.
 */
export async function drainTaskQueue(
  connection: Connection,
  namespace: string,
  taskQueue: string,
  signal: AbortSignal,
): Promise<number> {
  let completed = 0;
  while (!signal.aborted) {
    // A long poll needs a deadline: the server refuses one without ("Context timeout is not set") and answers an
    // empty task after about a minute when nothing came.
    const task = await connection
      .withAbortSignal(signal, () =>
        connection.withDeadline(Date.now() + pollDeadlineMs, () =>
          connection.workflowService.pollWorkflowTaskQueue({
            namespace,
            taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
            identity: 'cluster-test-drain',
          }),
        ),
      )
      .catch((error: unknown) => {
        if (signal.aborted) return undefined;
        throw error;
      });
    if (task?.taskToken === undefined || task.taskToken === null || task.taskToken.length === 0) continue;
    await connection.workflowService.respondWorkflowTaskCompleted({
      namespace,
      taskToken: task.taskToken,
      identity: 'cluster-test-drain',
      commands: [
        {
          commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
          completeWorkflowExecutionCommandAttributes: {},
        },
      ],
    });
    completed += 1;
  }
  return completed;
}
