/**
 * Reads every run of an audit workflow (following continue-as-new) and measures what Temporal stores and bills:
 * event counts, encoded sizes, and billable actions counted from the history the way Temporal Cloud bills them.
 */
import type { Client } from '@temporalio/client';
import protos from '@temporalio/proto';
import type { temporal } from '@temporalio/proto';

// @temporalio/proto is CommonJS: its namespaces are reached through the default export under ESM.
const { api } = protos.temporal;
const EventType = api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface RunHistory {
  readonly runId: string;
  readonly events: readonly HistoryEvent[];
  /** The run's history, encoded as the server stores it. */
  readonly bytes: number;
  /** The largest single event, encoded. */
  readonly largestEventBytes: number;
  /** The largest payload list any event carries (workflow input, activity input or result, heartbeat details...), encoded. */
  readonly largestPayloadBytes: number;
  readonly actions: number;
}

/**
 * Billable actions of one run's history: the run's start (a continued run's start is the continue-as-new action),
 * every activity scheduled and each of its retries (attempt > 1 on its started event), timers, markers (patches),
 * search attribute upserts, signals, child workflows and external signals or cancels. Recorded heartbeats are
 * billed too but do not appear in a history; they are not counted here.
 */
export function billableActions(events: readonly HistoryEvent[]): number {
  let actions = 0;
  for (const event of events) {
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
      case EventType.EVENT_TYPE_TIMER_STARTED:
      case EventType.EVENT_TYPE_MARKER_RECORDED:
      case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
      case EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
      case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
      case EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
      case EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
        actions++;
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        actions += Math.max(0, (event.activityTaskStartedEventAttributes?.attempt ?? 1) - 1);
        break;
      default:
        break;
    }
  }
  return actions;
}

/** Every run of the workflow from `firstRunId`, in order, following each run's continue-as-new. */
export async function runHistories(
  client: Client,
  workflowId: string,
  firstRunId: string,
): Promise<RunHistory[]> {
  const runs: RunHistory[] = [];
  for (let runId: string | null = firstRunId; runId;) {
    const history: temporal.api.history.v1.IHistory = await client.workflow
      .getHandle(workflowId, runId)
      .fetchHistory();
    const events: HistoryEvent[] = history.events ?? [];
    let largestEventBytes = 0;
    let largestPayloadBytes = 0;
    for (const event of events) {
      largestEventBytes = Math.max(
        largestEventBytes,
        api.history.v1.HistoryEvent.encode(event).finish().length,
      );
      largestPayloadBytes = Math.max(largestPayloadBytes, largestPayloads(event));
    }
    runs.push({
      runId,
      events,
      bytes: api.history.v1.History.encode(history).finish().length,
      largestEventBytes,
      largestPayloadBytes,
      actions: billableActions(events),
    });
    const last: HistoryEvent | undefined = events.at(-1);
    runId =
      last?.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
        ? (last.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? null)
        : null;
  }
  return runs;
}

/** The encoded size of the largest `payloads` list found anywhere in an event's attributes. */
function largestPayloads(value: unknown): number {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return 0;
  let largest = 0;
  for (const [key, child] of Object.entries(value)) {
    if (key === 'payloads' && Array.isArray(child))
      largest = Math.max(
        largest,
        api.common.v1.Payloads.encode({ payloads: child as temporal.api.common.v1.IPayload[] }).finish()
          .length,
      );
    else largest = Math.max(largest, largestPayloads(child));
  }
  return largest;
}
