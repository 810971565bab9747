import type { Context } from '@temporalio/activity';
import { Client } from '@temporalio/client';
import {
  Worker,
  type ActivityInterceptorsFactory,
  type InjectedSinks,
  type NativeConnection,
  type WorkerOptions,
  type WorkerTuner,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import type { Logger } from 'pino';
import { bindActivities } from '../activities/define-llm-activity.js';
import { createSdkLogger, createSdkRuntime, type SdkRuntime } from '../runtime/sdk-runtime.js';
import { sdkActivities } from '../activities/tenant-status-activity.js';
import type { WorkerConfig } from '../config/worker-config.js';
import { ConfigError } from '../errors.js';
import { MetricsServer } from '../metrics/metrics-server.js';
import type { WorkerMetrics } from '../metrics/worker-metrics.js';
import type { ApexSeoMetricsSinks } from '../workflow/metrics-interceptors.js';
import { connectTemporal, installTemporalRuntime } from './temporal-connection.js';
import { sdkWorkflowModulePath } from './workflow-module-path.js';

export interface CreateWorkerOptions {
  /** From {@link loadWorkerConfig}. */
  readonly config: WorkerConfig;
  /** Overrides `config.taskQueue`. */
  readonly taskQueue?: string;
  /** Activity functions; LLM activities from `defineLlmActivity` are bound to this worker's key service and breaker. */
  readonly activities?: Record<string, unknown>;
  /** Module exporting the workflows (bundled with webpack at start-up; development and tests). */
  readonly workflowsPath?: string;
  /** Prebuilt bundle from `bundleWorkflows` (production; required when `config.requirePrebuiltBundle`). */
  readonly workflowBundle?: WorkflowBundleOption;
  /** @default a pino JSON logger */
  readonly logger?: Logger;
  /** Slot tuner; replaces `config.concurrency` (the two are mutually exclusive in Temporal). */
  readonly tuner?: WorkerTuner;
  /** Reuse a connection (it is not closed by `shutdown`). @default one built from `config.temporal` */
  readonly connection?: NativeConnection;
  /** Worker identity shown in Temporal. @default Temporal's `pid@hostname` */
  readonly identity?: string;
}

/** A worker with the SDK's wiring; see {@link createWorker}. */
export interface ApexWorker {
  readonly worker: Worker;
  /** Temporal client on the worker's connection (also used to pause a tenant's workflows). */
  readonly client: Client;
  readonly metrics: WorkerMetrics;
  readonly runtime: SdkRuntime;
  /** Port the `/metrics`, `/healthz`, `/readyz` server listens on. */
  readonly metricsPort: number;
  /** Polls until shut down (SIGTERM/SIGINT or {@link ApexWorker.shutdown}), then releases everything. */
  run(): Promise<void>;
  /** Stops polling, lets in-flight activities finish within the grace time, waits for `run()` to end. */
  shutdown(): Promise<void>;
}

/**
 * One call wires a production worker: Temporal connection (mTLS / Cloud API key), Core metrics on
 * `metrics.temporalPort`, prom-client metrics with `/healthz` and `/readyz` on `metrics.port`, metric interceptors,
 * LLM activities bound to the key service and breaker, the SDK's re-check activity, concurrency, and graceful
 * shutdown on SIGTERM with `shutdownGraceSeconds` for in-flight activities.
 */
export async function createWorker(options: CreateWorkerOptions): Promise<ApexWorker> {
  const { config } = options;
  const taskQueue = options.taskQueue ?? config.taskQueue;
  if (!options.workflowBundle && !options.workflowsPath && !options.activities) {
    throw new ConfigError([
      { field: 'workflowsPath', message: 'give workflowsPath, workflowBundle and/or activities' },
    ]);
  }
  if (config.requirePrebuiltBundle && options.workflowsPath && !options.workflowBundle) {
    throw new ConfigError([
      {
        field: 'workflowBundle',
        message:
          'production workers load a prebuilt bundle (bundleWorkflows); workflowsPath would run webpack at start-up',
      },
    ]);
  }
  const logger = options.logger ?? createSdkLogger();
  installTemporalRuntime(config, logger);
  const connection = options.connection ?? (await connectTemporal(config));
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    ...(options.identity ? { identity: options.identity } : {}),
  });
  const runtime = createSdkRuntime({ config, client, logger });
  const { metrics } = runtime;

  const activityLatency: ActivityInterceptorsFactory = (ctx: Context) => ({
    inbound: {
      async execute(input, next) {
        // Worker clock minus server schedule time: close enough for queueing, skewed by NTP drift at most.
        metrics.recordQueueLatency(
          taskQueue,
          'activity',
          (Date.now() - ctx.info.currentAttemptScheduledTimestampMs) / 1000,
        );
        return next(input);
      },
    },
  });
  const sinks: InjectedSinks<ApexSeoMetricsSinks> = {
    apexseoMetrics: {
      workflowFailed: {
        fn: (info, errorType) => metrics.recordWorkflowFailed(errorType, info.workflowType, info.taskQueue),
        callDuringReplay: false,
      },
      workflowQueueLatency: {
        fn: (info, seconds) => metrics.recordQueueLatency(info.taskQueue, 'workflow', seconds),
        callDuringReplay: false,
      },
    },
  };
  const workerOptions: WorkerOptions = {
    connection,
    namespace: config.temporal.namespace,
    taskQueue,
    activities: { ...bindActivities(options.activities ?? {}, runtime), ...sdkActivities(runtime) },
    interceptors: {
      activity: [activityLatency],
      ...(options.workflowBundle ? {} : { workflowModules: [sdkWorkflowModulePath()] }),
    },
    sinks,
    shutdownGraceTime: config.shutdownGraceSeconds * 1000,
    shutdownForceTime: (config.shutdownGraceSeconds + 5) * 1000,
    ...(options.identity ? { identity: options.identity } : {}),
    ...(options.tuner
      ? { tuner: options.tuner }
      : {
          maxConcurrentActivityTaskExecutions: config.concurrency.maxConcurrentActivities,
          maxConcurrentWorkflowTaskExecutions: config.concurrency.maxConcurrentWorkflowTasks,
        }),
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : options.workflowsPath
        ? { workflowsPath: options.workflowsPath }
        : {}),
  };

  let worker: Worker;
  try {
    worker = await Worker.create(workerOptions);
  } catch (err) {
    await runtime.close();
    if (!options.connection) await connection.close();
    throw err;
  }
  const server = new MetricsServer({
    registry: metrics.registry,
    port: config.metrics.port,
    host: config.metrics.host,
    // Polling is not enough: a worker whose token the key service refuses would fail every LLM activity.
    isReady: async () => worker.getState() === 'RUNNING' && (await runtime.keyService.canAuthenticate()),
  });
  const metricsPort = await server.start();

  let running: Promise<void> | undefined;
  const run = (): Promise<void> => {
    running ??= (async () => {
      logger.info({ taskQueue, namespace: config.temporal.namespace, metricsPort }, 'worker starting');
      try {
        await worker.run();
      } finally {
        await runtime.close();
        await server.stop();
        if (!options.connection) await connection.close();
        logger.info({ taskQueue }, 'worker stopped');
      }
    })();
    return running;
  };
  return {
    worker,
    client,
    metrics,
    runtime,
    metricsPort,
    run,
    async shutdown() {
      const state = worker.getState();
      if (state === 'RUNNING') worker.shutdown();
      if (running) await running;
      else if (state === 'INITIALIZED') {
        await runtime.close();
        await server.stop();
        if (!options.connection) await connection.close();
      }
    },
  };
}
