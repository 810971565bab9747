/**
 * `createTestEnvironment()`: everything an LLM activity's test needs, started in a few lines — a Temporal dev server
 * (through `@temporalio/testing`), a {@link LocalKeyService} holding the tenants and keys the test chooses, an
 * {@link LlmStandIn} speaking the OpenAI and Anthropic wire formats whose answers the test scripts, and workers built
 * by the SDK's own `createWorker` against them. Nothing of the SDK is mocked: the worker acquires keys over HTTP with
 * its token file, reports outcomes to the breaker, and parks workflows exactly as in production.
 */
import { access, constants, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Client, WorkflowHandle, WorkflowStartOptions } from '@temporalio/client';
import { SearchAttributeType, defineSearchAttributeKey, type Workflow } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime } from '@temporalio/worker';
import { pino, type Logger } from 'pino';
import { resumeTenantWorkflows } from '../client/tenant-workflows.js';
import { loadWorkerConfig, type WorkerConfig, type WorkerConfigInput } from '../config/worker-config.js';
import type { LlmProvider, TenantPlan } from '../keys/tenant-key.js';
import { createWorker, type ApexWorker } from '../temporal/create-worker.js';
import { pinoTemporalLogger } from '../temporal/pino-temporal-logger.js';
import {
  planSearchAttribute,
  tenantIdSearchAttribute,
  tenantParkedSearchAttribute,
} from '../workflow/with-tenant-pause.js';
import { startLlmStandIn, type LlmStandIn } from './llm-stand-in.js';
import { LocalKeyService, type LocalKeyServiceOptions } from './local-key-service.js';

/** Where the Temporal CLI comes from. The default download of `@temporalio/testing` needs the internet. */
export type TemporalServerOption =
  /** Path of a `temporal` CLI executable: `temporal server start-dev` on loopback, `port` or a free one. */
  | { readonly cli: string; readonly port?: number }
  /** A server that is already running, with the search attributes `TenantId`, `Plan` and `TenantParked`. */
  | { readonly address: string; readonly namespace?: string };

export interface TestEnvironmentOptions {
  /**
   * The Temporal server. Default: `{ cli }` with `$TEMPORAL_CLI_PATH`, else the `temporal` executable on `PATH`.
   */
  readonly temporal?: TemporalServerOption;
  /** Breaker rules of the local key service (cool-down 30 s, threshold 5, probe lease 30 s by default). */
  readonly keyService?: LocalKeyServiceOptions;
  /** Task queue of workers started by {@link TestEnvironment.startWorker}. @default a fresh `test-<random>` */
  readonly taskQueue?: string;
  /** Logger of the workers. @default warnings and errors only, JSON on stderr */
  readonly logger?: Logger;
}

export interface StartTestWorkflowOptions {
  readonly tenantId: string;
  /** @default 'mrr' */
  readonly plan?: TenantPlan;
  /** @default a fresh id */
  readonly workflowId?: string;
}

export interface WaitOptions {
  /** @default 30000 */
  readonly timeoutMs?: number;
}

const searchAttributes = [
  tenantIdSearchAttribute,
  planSearchAttribute,
  tenantParkedSearchAttribute,
  defineSearchAttributeKey('AuditId', SearchAttributeType.KEYWORD),
];

/** A Temporal dev server, a local key service and an LLM stand-in, wired for the SDK. */
export class TestEnvironment {
  /** Workers started by {@link startWorker}; all are shut down by {@link teardown}. */
  readonly #workers: { worker: ApexWorker; running: Promise<void> }[] = [];

  private constructor(
    /** `@temporalio/testing`'s environment (its `client`, `nativeConnection`, `namespace`). */
    readonly temporal: TestWorkflowEnvironment,
    /** The in-process key service: `putKey`, `resume`, `status`, `trips`, `calls`. */
    readonly keys: LocalKeyService,
    /** The LLM provider stand-in: `script`, `setDefault`, `calls`, `requests`. */
    readonly llm: LlmStandIn,
    /** File holding a development token of {@link keys} (what `APEXSEO_KEY_SERVICE_TOKEN_FILE` points at). */
    readonly tokenFile: string,
    readonly taskQueue: string,
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  static async create(options: TestEnvironmentOptions = {}): Promise<TestEnvironment> {
    const dir = await mkdtemp(join(tmpdir(), 'apexseo-test-env-'));
    const started: { close(): Promise<void> }[] = [];
    const logger = options.logger ?? pino({ level: 'warn' }, pino.destination(2));
    installQuietRuntime(logger);
    try {
      const temporal = await startTemporal(options.temporal ?? { cli: await findTemporalCli() });
      started.push({ close: () => temporal.teardown() });
      const keys = await LocalKeyService.start(options.keyService);
      started.push(keys);
      const llm = await startLlmStandIn();
      started.push(llm);
      const tokenFile = join(dir, 'token');
      await writeFile(tokenFile, keys.mintToken(), { mode: 0o600 });
      const taskQueue = options.taskQueue ?? `test-${Math.random().toString(36).slice(2, 10)}`;
      return new TestEnvironment(temporal, keys, llm, tokenFile, taskQueue, dir, logger);
    } catch (err) {
      for (const part of started.reverse()) await part.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Temporal client on the test server. */
  get client(): Client {
    return this.temporal.client;
  }

  /**
   * The `APEXSEO_*` variables a worker process needs to run against this environment (e.g. to start your own
   * `worker.ts`, which calls `loadWorkerConfig()`, as a child process).
   */
  workerEnv(taskQueue = this.taskQueue): Record<string, string> {
    return {
      APEXSEO_TEMPORAL_ADDRESS: this.temporal.address,
      APEXSEO_TEMPORAL_NAMESPACE: this.temporal.namespace ?? 'default',
      APEXSEO_TASK_QUEUE: taskQueue,
      APEXSEO_KEY_SERVICE_URL: this.keys.url,
      APEXSEO_KEY_SERVICE_TOKEN_FILE: this.tokenFile,
      APEXSEO_OPENAI_BASE_URL: this.llm.url,
      APEXSEO_ANTHROPIC_BASE_URL: this.llm.url,
      APEXSEO_METRICS_PORT: '0',
      APEXSEO_TEMPORAL_METRICS_PORT: '0',
    };
  }

  /** A worker configuration for this environment (metrics on a free loopback port, no Core metrics exporter). */
  workerConfig(overrides: WorkerConfigInput = {}): WorkerConfig {
    return loadWorkerConfig(
      { ...overrides, metrics: { host: '127.0.0.1', ...overrides.metrics } },
      this.workerEnv(overrides.taskQueue ?? this.taskQueue),
    );
  }

  /**
   * Starts a worker with the SDK's `createWorker` on this environment's task queue and lets it poll until
   * {@link teardown}. LLM activities are bound to the local key service and the stand-in.
   */
  async startWorker(options: {
    activities?: Record<string, unknown>;
    workflowsPath?: string;
    taskQueue?: string;
    config?: WorkerConfigInput;
  }): Promise<ApexWorker> {
    const worker = await createWorker({
      config: this.workerConfig({
        ...options.config,
        ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}),
      }),
      connection: this.temporal.nativeConnection,
      logger: this.logger,
      ...(options.activities ? { activities: options.activities } : {}),
      ...(options.workflowsPath ? { workflowsPath: options.workflowsPath } : {}),
    });
    this.#workers.push({ worker, running: worker.run() });
    return worker;
  }

  /**
   * Starts a workflow on this environment's task queue with the `TenantId` and `Plan` search attributes set, as the
   * platform starts them (tenant-wide pause and resume signals find it through them).
   */
  async startWorkflow<W extends Workflow>(
    workflow: W | string,
    options: StartTestWorkflowOptions & { args: Parameters<W> },
  ): Promise<WorkflowHandle<W>> {
    const plan = options.plan ?? 'mrr';
    const startOptions = {
      taskQueue: this.taskQueue,
      workflowId: options.workflowId ?? `test-${options.tenantId}-${Math.random().toString(36).slice(2, 10)}`,
      args: options.args,
      typedSearchAttributes: [
        { key: tenantIdSearchAttribute, value: options.tenantId },
        { key: planSearchAttribute, value: plan },
      ],
    };
    // `args` is `Parameters<W>`, which the conditional type of WorkflowStartOptions cannot see through generically.
    return this.client.workflow.start<W>(workflow, startOptions as unknown as WorkflowStartOptions<W>);
  }

  /** Resolves once the workflow is parked (`TenantParked = true`); throws after the timeout. */
  async waitForParked(handle: WorkflowHandle, options: WaitOptions = {}): Promise<void> {
    await this.#waitFor(handle, 'parked', options, async () => (await parkedFlag(handle)) === true);
  }

  /**
   * Resolves once the workflow is no longer parked (`TenantParked = false`, or it has finished); throws after the
   * timeout.
   */
  async waitForResumed(handle: WorkflowHandle, options: WaitOptions = {}): Promise<void> {
    await this.#waitFor(handle, 'resumed', options, async () => {
      const description = await handle.describe();
      return (
        description.status.name !== 'RUNNING' ||
        description.typedSearchAttributes.get(tenantParkedSearchAttribute) === false
      );
    });
  }

  /**
   * What the platform's app does when a tenant's key is fixed: resumes the tenant in the key service (closing its
   * breakers) and signals its parked workflows to retry at once.
   */
  async resumeTenant(tenantId: string, provider?: LlmProvider): Promise<void> {
    this.keys.resume(tenantId, provider);
    await resumeTenantWorkflows(this.client, tenantId, provider);
  }

  /**
   * Provider requests made with the tenant's key after its breaker tripped (each trip counted against the key
   * version that tripped). The SDK's promise is that this is 0.
   */
  providerCallsAfterTrip(tenantId: string): number {
    let calls = 0;
    for (const trip of this.keys.trips(tenantId)) {
      const apiKey = this.keys.apiKeyOf(trip.tenantId, trip.provider, trip.keyVersion);
      calls += this.llm.requests(apiKey).filter((r) => r.at > trip.at).length;
    }
    return calls;
  }

  /** Throws unless the tenant's breaker tripped and no provider request was made with the tripped key after it. */
  assertNoProviderCallAfterTrip(tenantId: string): void {
    if (this.keys.trips(tenantId).length === 0)
      throw new Error(`the key breaker of tenant ${tenantId} never tripped`);
    const calls = this.providerCallsAfterTrip(tenantId);
    if (calls > 0)
      throw new Error(
        `${calls} provider request(s) were made with tenant ${tenantId}'s key after its breaker tripped`,
      );
  }

  /** Shuts down the workers, then the servers, and removes the token file. */
  async teardown(): Promise<void> {
    for (const { worker } of this.#workers) await worker.shutdown();
    await Promise.allSettled(this.#workers.map((w) => w.running));
    await this.llm.close();
    await this.keys.close();
    await this.temporal.teardown();
    await rm(this.dir, { recursive: true, force: true });
  }

  async #waitFor(
    handle: WorkflowHandle,
    what: string,
    options: WaitOptions,
    check: () => Promise<boolean>,
  ): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await check()) return;
      if (Date.now() > deadline)
        throw new Error(`workflow ${handle.workflowId} was not ${what} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Shorthand for {@link TestEnvironment.create}. */
export function createTestEnvironment(options: TestEnvironmentOptions = {}): Promise<TestEnvironment> {
  return TestEnvironment.create(options);
}

/**
 * Temporal's runtime logs to the console by default; route it to the kit's logger instead. A process has one runtime,
 * so one installed earlier (by the application or the test) is kept.
 */
function installQuietRuntime(logger: Logger): void {
  try {
    Runtime.install({ logger: pinoTemporalLogger(logger) });
  } catch {
    // Already installed.
  }
}

async function parkedFlag(handle: WorkflowHandle): Promise<boolean | undefined> {
  return (await handle.describe()).typedSearchAttributes.get(tenantParkedSearchAttribute);
}

async function startTemporal(option: TemporalServerOption): Promise<TestWorkflowEnvironment> {
  if ('address' in option) {
    return TestWorkflowEnvironment.createFromExistingServer({
      address: option.address,
      ...(option.namespace ? { namespace: option.namespace } : {}),
    });
  }
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: option.cli },
      ip: '127.0.0.1',
      ...(option.port ? { port: option.port } : {}),
      searchAttributes,
      extraArgs: ['--dynamic-config-value', 'frontend.MaxConcurrentBatchOperationPerNamespace=20'],
    },
  });
}

/** `$TEMPORAL_CLI_PATH`, else `temporal` on `PATH`. */
export async function findTemporalCli(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const explicit = env['TEMPORAL_CLI_PATH'];
  if (explicit) {
    await access(explicit, constants.X_OK).catch(() => {
      throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
    });
    return explicit;
  }
  for (const dir of (env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'temporal');
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  throw new Error(
    'No Temporal CLI found: install it (https://docs.temporal.io/cli) and put `temporal` on PATH, set ' +
      'TEMPORAL_CLI_PATH to its path, or pass { temporal: { cli } } or { temporal: { address } }',
  );
}
