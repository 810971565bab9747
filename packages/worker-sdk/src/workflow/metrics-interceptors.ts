import {
  ActivityFailure,
  ChildWorkflowFailure,
  CancelledFailure,
  ContinueAsNew,
  proxySinks,
  TemporalFailure,
  ApplicationFailure,
  workflowInfo,
  type Sinks,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';

/**
 * Sink through which workflow code reports to the worker's prom-client registry. Registered by `createWorker` with
 * `callDuringReplay: false`, so replays never double-count.
 */
export interface ApexSeoMetricsSinks extends Sinks {
  apexseoMetrics: {
    /** A workflow execution is about to fail with this failure type. */
    workflowFailed(errorType: string): void;
    /** Seconds from the run's start (first workflow task scheduled) to its first task starting. */
    workflowQueueLatency(seconds: number): void;
  };
}

/** Name of the sink, shared with the worker side. */
export const METRICS_SINK_NAME = 'apexseoMetrics';

/** The most specific failure type: an activity's or child's ApplicationFailure type when that caused it. */
function failureType(err: TemporalFailure): string {
  let e: unknown = err;
  while (
    (e instanceof ActivityFailure || e instanceof ChildWorkflowFailure) &&
    e.cause instanceof TemporalFailure
  )
    e = e.cause;
  if (e instanceof ApplicationFailure) return e.type ?? 'ApplicationFailure';
  return e instanceof Error ? e.name : err.name;
}

/**
 * Workflow interceptors installed by `createWorker` (and baked into bundles built with `bundleWorkflows`):
 * count failed executions by failure type (`temporal_workflow_failed_count`) and record the first workflow task's
 * queue latency (`worker_queue_latency{kind="workflow"}`). Inside the sandbox `Date.now()` is the workflow task's
 * start time and `runStartTime` is when the run (and its first task) was scheduled; both are server clocks.
 */
export const interceptors: WorkflowInterceptorsFactory = () => {
  const { apexseoMetrics } = proxySinks<ApexSeoMetricsSinks>();
  return {
    inbound: [
      {
        async execute(input, next) {
          const info = workflowInfo();
          if (info.historyLength <= 3)
            apexseoMetrics.workflowQueueLatency(
              Math.max(0, (Date.now() - info.runStartTime.getTime()) / 1000),
            );
          try {
            return await next(input);
          } catch (err) {
            // Only TemporalFailures fail the execution; other errors fail (and retry) the workflow task.
            if (
              err instanceof TemporalFailure &&
              !(err instanceof CancelledFailure) &&
              !(err instanceof ContinueAsNew)
            ) {
              apexseoMetrics.workflowFailed(failureType(err));
            }
            throw err;
          }
        },
      },
    ],
  };
};
