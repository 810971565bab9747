/**
 * Reads each measured workflow's history back through the Temporal API and derives its latencies from server
 * event timestamps (no worker clock involved):
 *  - schedule-to-start of every workflow task and activity task (Scheduled -> Started event times, matched by
 *    scheduledEventId), which is what Core's *_schedule_to_start_latency and our worker_queue_latency measure;
 *  - end-to-end: from the client's arrival instant (the moment the audit was asked for, before the start RPC)
 *    to the WorkflowExecutionCompleted event.
 */
import type { Client } from '@temporalio/client';
import protos from '@temporalio/proto';
import type { temporal } from '@temporalio/proto';

// @temporalio/proto is CommonJS: its namespaces are reached through the default export under ESM.
const { enums } = protos.temporal.api;

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = enums.v1.EventType;

export interface AuditLatency {
  readonly workflowId: string;
  readonly completed: boolean;
  readonly endToEndMs: number | null;
  readonly workflowTaskStartMs: number[];
  readonly activityStartMs: number[];
  /**
   * The audit's history as [event, ms after arrival] pairs (e.g. `WorkflowTaskScheduled`), server timestamps: where
   * a slow audit spent its time (start RPC, each task's wait, each task's execution, completion).
   */
  readonly events?: Array<[string, number]>;
}

function eventMs(event: HistoryEvent): number {
  const ts = event.eventTime;
  if (!ts) return Number.NaN;
  return Number(ts.seconds ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

export function latencyFromHistory(
  workflowId: string,
  arrivalMs: number,
  events: readonly HistoryEvent[],
): AuditLatency {
  const scheduled = new Map<number, number>();
  const workflowTaskStartMs: number[] = [];
  const activityStartMs: number[] = [];
  let completedAt: number | null = null;
  const timeline: Array<[string, number]> = [];
  for (const event of events) {
    const id = Number(event.eventId ?? 0);
    const name = EventType[event.eventType ?? 0] ?? String(event.eventType);
    timeline.push([
      name
        .replace(/^EVENT_TYPE_/, '')
        .replace(/(?:^|_)([A-Z])([A-Z]*)/g, (_, a: string, b: string) => a + b.toLowerCase()),
      eventMs(event) - arrivalMs,
    ]);
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        scheduled.set(id, eventMs(event));
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED: {
        const from = scheduled.get(Number(event.workflowTaskStartedEventAttributes?.scheduledEventId ?? -1));
        if (from !== undefined) workflowTaskStartMs.push(eventMs(event) - from);
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        const from = scheduled.get(Number(event.activityTaskStartedEventAttributes?.scheduledEventId ?? -1));
        if (from !== undefined) activityStartMs.push(eventMs(event) - from);
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
        completedAt = eventMs(event);
        break;
      default:
        break;
    }
  }
  return {
    workflowId,
    completed: completedAt !== null,
    endToEndMs: completedAt === null ? null : completedAt - arrivalMs,
    workflowTaskStartMs,
    activityStartMs,
    events: timeline,
  };
}

export async function readAuditLatencies(
  client: Client,
  arrivals: ReadonlyArray<{ workflowId: string; arrivalMs: number }>,
  concurrency: number,
): Promise<AuditLatency[]> {
  const results: AuditLatency[] = [];
  let next = 0;
  const workers = Array.from({ length: concurrency }, async () => {
    while (next < arrivals.length) {
      const item = arrivals[next++];
      if (!item) break;
      const history = await client.workflow.getHandle(item.workflowId).fetchHistory();
      results.push(latencyFromHistory(item.workflowId, item.arrivalMs, history.events ?? []));
    }
  });
  await Promise.all(workers);
  return results;
}
