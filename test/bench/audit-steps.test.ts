/**
 * The isolation benchmark's diagnosis reads each audit's history into steps (start, task waits and runs) and
 * checks whether task dispatches are batched on the dev server's transfer-reader grid; these tests pin both.
 */
import protos, { type temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { breakdownOf, dispatchGrid } from '../../bench/isolation/src/audit-steps.js';
import { latencyFromHistory } from '../../bench/isolation/src/history-latency.js';
import type { RunResult } from '../../bench/isolation/src/run-one.js';

const EventType = protos.temporal.api.enums.v1.EventType;

const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });

/** The one-activity audit's history, event times in ms. */
function history(times: number[]): temporal.api.history.v1.IHistoryEvent[] {
  const types = [
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  ];
  // Plain numbers where the protobuf types say Long: latencyFromHistory reads them with Number().
  return types.map((eventType, i) => ({
    eventId: i + 1,
    eventType,
    eventTime: at(times[i] ?? 0),
    ...(i === 2 ? { workflowTaskStartedEventAttributes: { scheduledEventId: 2 } } : {}),
    ...(i === 5 ? { activityTaskStartedEventAttributes: { scheduledEventId: 5 } } : {}),
    ...(i === 8 ? { workflowTaskStartedEventAttributes: { scheduledEventId: 8 } } : {}),
  })) as unknown as temporal.api.history.v1.IHistoryEvent[];
}

describe('audit steps', () => {
  it('splits an audit into its start, task waits and task runs', () => {
    const arrival = 1_000_000;
    const rel = [5, 5, 55, 70, 70, 110, 180, 180, 210, 220, 220];
    const latency = latencyFromHistory('mrr-00001', arrival, history(rel.map((t) => arrival + t)));
    expect(latency.endToEndMs).toBe(220);
    expect(latency.events?.[0]).toEqual(['WorkflowExecutionStarted', 5]);
    expect(breakdownOf(latency.events ?? [])).toEqual({
      start: 5,
      'wft1 wait': 50,
      'wft1 run': 15,
      'act wait': 40,
      'act run': 70,
      'wft2 wait': 30,
      'wft2 run': 10,
      close: 0,
    });
  });

  it('tells dispatches batched on a 50 ms grid from dispatches spread in time', () => {
    const run = (dispatchTimes: number[]): RunResult =>
      ({
        latencies: [],
        priorityStarts: [],
        floodTimelines: dispatchTimes.map((t, i) => ({
          workflowId: `ltd-${i}`,
          events: [['WorkflowTaskStarted', t] as [string, number]],
        })),
      }) as unknown as RunResult;
    const batched = Array.from({ length: 200 }, (_, i) => 1000 + Math.floor(i / 2) * 50 + (i % 3));
    const spread = Array.from({ length: 200 }, (_, i) => 1000 + i * 23);
    expect(dispatchGrid(run(batched), 0, 20_000).busiestShare).toBe(1);
    expect(dispatchGrid(run(spread), 0, 20_000).busiestShare).toBeLessThan(0.3);
  });
});
