/**
 * The worker's configuration, the SDK's way: one zod schema keyed by the environment variables themselves, read
 * once by the composition roots (`src/main.ts` for the worker binary, the CLI when a command first needs it) and
 * passed down. Every invalid variable is named with its message, all of them in one {@link EeatConfigError}.
 *
 * The worker binary reads the SDK's configuration (`loadWorkerConfig`: `APEXSEO_TEMPORAL_*`, `APEXSEO_TASK_QUEUE`,
 * `APEXSEO_KEY_SERVICE_*`, metrics, concurrency, LLM endpoints) plus the variables below; the SDK's issues and the
 * worker's are reported together. Variable names and defaults: packages/eeat-worker/README.md, docs/architecture.md.
 */
import {
  ConfigError,
  loadWorkerConfig,
  type ConfigIssue,
  type WorkerConfig,
  type WorkerConfigInput,
} from '@apexseo/worker-sdk';
import { z } from 'zod';
import type { PageAnalysisPoolOptions } from '../analysis/page-analysis-pool.js';
import { PrivateHostAllowance, invalidPrivateHostEntry } from '../fetch/private-host-allowance.js';
import { TASK_QUEUES } from '../routing/plan-routing.js';
import {
  ClickHouseSettingsSchema,
  type ClickHouseSettings,
} from '../storage/clickhouse/clickhouse-connection.js';
import { Neo4jSettingsSchema, type Neo4jSettings } from '../storage/neo4j/neo4j-connection.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Thrown when any variable is invalid; `issues` lists every one, the message names each variable. */
export class EeatConfigError extends Error {
  readonly type = 'WORKER_CONFIG_INVALID';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `invalid configuration (${issues.length} variable(s)):\n${issues
        .map((i) => `  - ${i.env ?? i.field}: ${i.message}`)
        .join('\n')}`,
    );
    this.name = 'EeatConfigError';
  }
}

/** Unset or empty: not given (the variable's default applies). */
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));

const positiveInteger = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    if (raw === undefined || raw.trim() === '') return undefined;
    const value = Number(raw);
    if (Number.isInteger(value) && value > 0) return value;
    ctx.addIssue({ code: 'custom', message: `must be a positive integer (got ${JSON.stringify(raw)})` });
    return z.NEVER;
  });

const privateHosts = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    const bad = invalidPrivateHostEntry(raw);
    if (bad === undefined) return PrivateHostAllowance.parse(raw);
    ctx.addIssue({ code: 'custom', message: bad });
    return z.NEVER;
  });

/** Each setting's own rules come from the store's settings schema; the defaults apply to unset variables only. */
const storesEnv = {
  APEXSEO_CLICKHOUSE_URL: ClickHouseSettingsSchema.shape.url.default('http://127.0.0.1:8123'),
  APEXSEO_CLICKHOUSE_USER: ClickHouseSettingsSchema.shape.username.default('default'),
  APEXSEO_CLICKHOUSE_PASSWORD: ClickHouseSettingsSchema.shape.password.default(''),
  APEXSEO_CLICKHOUSE_DATABASE: ClickHouseSettingsSchema.shape.database.default('apexseo'),
  APEXSEO_NEO4J_URL: Neo4jSettingsSchema.shape.boltUrl.default('bolt://127.0.0.1:7687'),
  APEXSEO_NEO4J_USER: Neo4jSettingsSchema.shape.username.default('neo4j'),
  APEXSEO_NEO4J_PASSWORD: Neo4jSettingsSchema.shape.password.default(''),
  APEXSEO_FETCH_PRIVATE_HOSTS: privateHosts,
};

const workerEnvSchema = z.object({
  ...storesEnv,
  APEXSEO_WORKFLOW_BUNDLE: optionalText,
  APEXSEO_MIGRATE_ON_START: z
    .string()
    .optional()
    .transform((v) => v === 'true'),
  APEXSEO_LLM_MODEL: optionalText,
  APEXSEO_ANALYSIS_THREADS: positiveInteger,
  APEXSEO_PAGE_DEADLINE_MS: positiveInteger,
  APEXSEO_PAGE_HEAP_MB: positiveInteger,
});

const cliEnvSchema = z.object({
  ...storesEnv,
  APEXSEO_TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  APEXSEO_TEMPORAL_NAMESPACE: z.string().default('default'),
});

export interface StoreSettings {
  readonly clickhouse: ClickHouseSettings;
  readonly neo4j: Neo4jSettings;
}

/** Everything the worker binary reads. */
export interface EeatWorkerConfig {
  /** The SDK's configuration (Temporal, pool, key service, metrics, concurrency, LLM endpoints). */
  readonly sdk: WorkerConfig;
  readonly stores: StoreSettings;
  /** Private destinations audits may fetch (`APEXSEO_FETCH_PRIVATE_HOSTS`; demo and tests only). */
  readonly privateHosts: PrivateHostAllowance;
  /** Analysis threads and the per-page budget (`APEXSEO_ANALYSIS_THREADS`, `APEXSEO_PAGE_DEADLINE_MS`, `APEXSEO_PAGE_HEAP_MB`). */
  readonly analysis: PageAnalysisPoolOptions;
  /** `APEXSEO_LLM_MODEL`; unset: the provider's default model. */
  readonly llmModel?: string;
  /** `APEXSEO_WORKFLOW_BUNDLE`; unset: the binary looks for a bundle beside itself. */
  readonly workflowBundlePath?: string;
  /** `APEXSEO_MIGRATE_ON_START=true`. */
  readonly migrateOnStart: boolean;
}

/** Everything the `apexseo` CLI reads from the environment for Temporal, the stores and `--allow-host`. */
export interface EeatCliConfig {
  readonly temporal: { readonly address: string; readonly namespace: string };
  readonly stores: StoreSettings;
  readonly privateHosts: PrivateHostAllowance;
}

function envIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '(root)');
    return { field: name, env: name, message: issue.message };
  });
}

function storesOf(e: z.output<z.ZodObject<typeof storesEnv>>): StoreSettings {
  return {
    clickhouse: {
      url: e.APEXSEO_CLICKHOUSE_URL,
      username: e.APEXSEO_CLICKHOUSE_USER,
      password: e.APEXSEO_CLICKHOUSE_PASSWORD,
      database: e.APEXSEO_CLICKHOUSE_DATABASE,
    },
    neo4j: {
      boltUrl: e.APEXSEO_NEO4J_URL,
      username: e.APEXSEO_NEO4J_USER,
      password: e.APEXSEO_NEO4J_PASSWORD,
    },
  };
}

/**
 * The worker binary's configuration from `env` (default `process.env`); `sdk` overrides the SDK's part as
 * `loadWorkerConfig` does. Throws {@link EeatConfigError} naming every invalid variable, the SDK's included.
 */
export function loadEeatWorkerConfig(
  options: { readonly sdk?: WorkerConfigInput } = {},
  env: Env = process.env,
): EeatWorkerConfig {
  const issues: ConfigIssue[] = [];
  let sdk: WorkerConfig | undefined;
  try {
    sdk = loadWorkerConfig(options.sdk ?? {}, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    issues.push(...error.issues);
  }
  const pools: readonly string[] = Object.values(TASK_QUEUES);
  if (sdk && !pools.includes(sdk.taskQueue)) {
    issues.push({
      field: 'taskQueue',
      env: 'APEXSEO_TASK_QUEUE',
      message: `must be one of ${pools.join(', ')} (got ${JSON.stringify(sdk.taskQueue)})`,
    });
  }
  const parsed = workerEnvSchema.safeParse(env);
  if (!parsed.success) issues.push(...envIssues(parsed.error));
  if (issues.length > 0 || !sdk || !parsed.success) throw new EeatConfigError(issues);
  const e = parsed.data;
  return {
    sdk,
    stores: storesOf(e),
    privateHosts: e.APEXSEO_FETCH_PRIVATE_HOSTS,
    analysis: {
      ...(e.APEXSEO_ANALYSIS_THREADS !== undefined ? { threads: e.APEXSEO_ANALYSIS_THREADS } : {}),
      budget: {
        ...(e.APEXSEO_PAGE_DEADLINE_MS !== undefined ? { deadlineMs: e.APEXSEO_PAGE_DEADLINE_MS } : {}),
        ...(e.APEXSEO_PAGE_HEAP_MB !== undefined ? { heapMb: e.APEXSEO_PAGE_HEAP_MB } : {}),
      },
    },
    ...(e.APEXSEO_LLM_MODEL !== undefined ? { llmModel: e.APEXSEO_LLM_MODEL } : {}),
    ...(e.APEXSEO_WORKFLOW_BUNDLE !== undefined ? { workflowBundlePath: e.APEXSEO_WORKFLOW_BUNDLE } : {}),
    migrateOnStart: e.APEXSEO_MIGRATE_ON_START,
  };
}

/** The CLI's configuration from `env`. Throws {@link EeatConfigError} naming every invalid variable. */
export function loadCliConfig(env: Env = process.env): EeatCliConfig {
  const parsed = cliEnvSchema.safeParse(env);
  if (!parsed.success) throw new EeatConfigError(envIssues(parsed.error));
  const e = parsed.data;
  return {
    temporal: { address: e.APEXSEO_TEMPORAL_ADDRESS, namespace: e.APEXSEO_TEMPORAL_NAMESPACE },
    stores: storesOf(e),
    privateHosts: e.APEXSEO_FETCH_PRIVATE_HOSTS,
  };
}
