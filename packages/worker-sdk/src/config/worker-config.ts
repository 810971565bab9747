import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.js';

/**
 * One schema for everything a worker reads. Values come from `options` first, then from the environment
 * (variable names in docs/architecture.md), then defaults. No LLM key is ever configuration: keys are
 * acquired from the key service at call time.
 */

const positiveInt = z.coerce.number().int().min(1);
const nonEmpty = z.string().trim().min(1);
const fileThatExists = nonEmpty.refine((p) => existsSync(p), { message: 'file does not exist' });

/** The worker token must be readable when the worker starts: a missing token would only show as 401s later. */
const tokenFile = nonEmpty.superRefine((path, ctx) => {
  let token: string;
  try {
    token = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    ctx.addIssue({
      code: 'custom',
      message:
        code === 'ENOENT'
          ? `token file ${path} does not exist`
          : `token file ${path} is not readable (${String(code)})`,
    });
    return;
  }
  if (!token.trim()) ctx.addIssue({ code: 'custom', message: `token file ${path} is empty` });
});

/**
 * A provider base URL, with or without the conventional `/v1` suffix (`https://api.openai.com` and
 * `https://api.openai.com/v1` both work): the stored form never ends in `/v1` or `/`, because the transports append
 * `/v1/chat/completions` and `/v1/messages`.
 */
const providerBaseUrl = z
  .url({ protocol: /^https?$/ })
  .refine((u) => !/[?#]/.test(u), { message: 'must not carry a query or fragment' })
  .transform((u) => u.replace(/\/+$/, '').replace(/\/v1$/, ''));

const temporalSchema = z
  .object({
    /** Temporal frontend `host:port`. */
    address: nonEmpty
      .regex(/^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'must be host:port')
      .default('127.0.0.1:7233'),
    namespace: nonEmpty.default('default'),
    /** mTLS for Temporal Cloud: certificate and key go together; CA is optional. */
    tls: z
      .object({
        certFile: fileThatExists.optional(),
        keyFile: fileThatExists.optional(),
        caFile: fileThatExists.optional(),
      })
      .default({}),
    /** File holding a Temporal Cloud API key (read at connect time, never logged). */
    apiKeyFile: fileThatExists.optional(),
  })
  .superRefine((t, ctx) => {
    if (Boolean(t.tls.certFile) !== Boolean(t.tls.keyFile)) {
      ctx.addIssue({
        code: 'custom',
        path: ['tls', t.tls.certFile ? 'keyFile' : 'certFile'],
        message: 'certFile and keyFile must be set together',
      });
    }
  });

const workerConfigSchema = z.object({
  temporal: temporalSchema.default({ address: '127.0.0.1:7233', namespace: 'default', tls: {} }),
  /** The pool's task queue, e.g. `eeat-priority` or `eeat-standard`. */
  taskQueue: nonEmpty,
  keyService: z
    .object({
      url: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8080'),
      /** The worker token (in Kubernetes: the projected ServiceAccount token); must be readable at load. */
      tokenFile: tokenFile.prefault('/var/run/secrets/apexseo/key-service/token'),
      /** Per-request timeout for the key service, milliseconds. */
      timeoutMs: positiveInt.max(60_000).default(5_000),
      /** Extra attempts on 5xx and network errors (jittered exponential backoff). */
      maxRetries: z.coerce.number().int().min(0).max(10).default(2),
    })
    // prefault: the defaults go through the schema, so the default token path is checked like a given one.
    .prefault({}),
  metrics: z
    .object({
      /** prom-client `/metrics`, `/healthz`, `/readyz`; `0` picks a free port. */
      port: z.coerce.number().int().min(0).max(65535).default(9466),
      /** Temporal Core SDK metrics (`/metrics`); `0` disables Core's exporter. */
      temporalPort: z.coerce.number().int().min(0).max(65535).default(9465),
      host: nonEmpty.default('0.0.0.0'),
      /** At most this many distinct `tenant` label values per process; the rest are `other`. */
      tenantLabelLimit: z.coerce.number().int().min(0).max(10_000).default(200),
      /** Plans whose tenants may get their own `tenant` label; other plans are always `other`. */
      tenantLabelPlans: z.array(z.enum(['mrr', 'ltd'])).default(['mrr']),
    })
    .default({
      port: 9466,
      temporalPort: 9465,
      host: '0.0.0.0',
      tenantLabelLimit: 200,
      tenantLabelPlans: ['mrr'],
    }),
  concurrency: z
    .object({
      maxConcurrentActivities: positiveInt.max(10_000).default(20),
      maxConcurrentWorkflowTasks: z.coerce.number().int().min(2).max(10_000).default(40),
    })
    .default({ maxConcurrentActivities: 20, maxConcurrentWorkflowTasks: 40 }),
  llm: z
    .object({
      /** OpenAI-compatible base URL, with or without `/v1` (`/v1/chat/completions` is appended to the host part). */
      openaiBaseUrl: providerBaseUrl.default('https://api.openai.com'),
      /** Anthropic base URL, with or without `/v1` (`/v1/messages` is appended to the host part). */
      anthropicBaseUrl: providerBaseUrl.default('https://api.anthropic.com'),
      /** Per-attempt provider timeout, milliseconds. */
      timeoutMs: positiveInt.max(600_000).default(60_000),
      /** Extra attempts inside one logical call on 5xx, 529, timeouts, network errors and invalid answers. */
      maxRetries: z.coerce.number().int().min(0).max(5).default(2),
    })
    .default({
      openaiBaseUrl: 'https://api.openai.com',
      anthropicBaseUrl: 'https://api.anthropic.com',
      timeoutMs: 60_000,
      maxRetries: 2,
    }),
  /** In-flight activities get this long after SIGTERM; keep it below the pod's terminationGracePeriodSeconds. */
  shutdownGraceSeconds: z.coerce.number().min(0).max(3600).default(25),
  /** Require a prebuilt workflow bundle (no webpack at start-up). Defaults to `NODE_ENV === 'production'`. */
  requirePrebuiltBundle: z.boolean().default(false),
});

/** The validated worker configuration. */
export type WorkerConfig = z.output<typeof workerConfigSchema>;

/** What callers may pass to {@link loadWorkerConfig}; every field is optional and overrides the environment. */
export type WorkerConfigInput = DeepPartial<z.input<typeof workerConfigSchema>>;

type DeepPartial<T> = T extends readonly (infer U)[]
  ? readonly U[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** Environment variable for each config path (docs/architecture.md, "Configuration by environment"). */
export const WORKER_CONFIG_ENV: Readonly<Record<string, string>> = {
  'temporal.address': 'APEXSEO_TEMPORAL_ADDRESS',
  'temporal.namespace': 'APEXSEO_TEMPORAL_NAMESPACE',
  'temporal.tls.certFile': 'APEXSEO_TEMPORAL_TLS_CERT_FILE',
  'temporal.tls.keyFile': 'APEXSEO_TEMPORAL_TLS_KEY_FILE',
  'temporal.tls.caFile': 'APEXSEO_TEMPORAL_TLS_CA_FILE',
  'temporal.apiKeyFile': 'APEXSEO_TEMPORAL_API_KEY_FILE',
  taskQueue: 'APEXSEO_TASK_QUEUE',
  'keyService.url': 'APEXSEO_KEY_SERVICE_URL',
  'keyService.tokenFile': 'APEXSEO_KEY_SERVICE_TOKEN_FILE',
  'keyService.timeoutMs': 'APEXSEO_KEY_SERVICE_TIMEOUT_MS',
  'keyService.maxRetries': 'APEXSEO_KEY_SERVICE_MAX_RETRIES',
  'llm.openaiBaseUrl': 'APEXSEO_OPENAI_BASE_URL',
  'llm.anthropicBaseUrl': 'APEXSEO_ANTHROPIC_BASE_URL',
  'llm.timeoutMs': 'APEXSEO_LLM_TIMEOUT_MS',
  'llm.maxRetries': 'APEXSEO_LLM_MAX_RETRIES',
  'metrics.port': 'APEXSEO_METRICS_PORT',
  'metrics.temporalPort': 'APEXSEO_TEMPORAL_METRICS_PORT',
  'metrics.tenantLabelLimit': 'APEXSEO_METRICS_TENANT_LABEL_LIMIT',
  'concurrency.maxConcurrentActivities': 'APEXSEO_MAX_CONCURRENT_ACTIVITIES',
  'concurrency.maxConcurrentWorkflowTasks': 'APEXSEO_MAX_CONCURRENT_WORKFLOW_TASKS',
  shutdownGraceSeconds: 'APEXSEO_SHUTDOWN_GRACE_SECONDS',
};

type Env = Readonly<Record<string, string | undefined>>;
type Tree = { [key: string]: unknown };

function setPath(target: Tree, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next as Tree;
    else {
      const created: Tree = {};
      node[part] = created;
      node = created;
    }
  }
  node[parts[parts.length - 1] as string] = value;
}

function getPath(tree: Tree, path: readonly string[]): unknown {
  let node: unknown = tree;
  for (const part of path) {
    if (!isPlainObject(node)) return undefined;
    node = node[part];
  }
  return node;
}

function isPlainObject(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? merge(prev, v) : v;
  }
  return out;
}

/**
 * Builds the worker configuration from `options` (highest precedence) and `env` (default `process.env`).
 * Throws {@link ConfigError} naming every invalid field and its environment variable.
 */
export function loadWorkerConfig(options: WorkerConfigInput = {}, env: Env = process.env): WorkerConfig {
  const fromEnv: Tree = {};
  for (const [path, name] of Object.entries(WORKER_CONFIG_ENV)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') setPath(fromEnv, path, raw);
  }
  fromEnv['requirePrebuiltBundle'] = env['NODE_ENV'] === 'production';
  const merged = merge(fromEnv, options);
  const result = workerConfigSchema.safeParse(merged);
  if (result.success) return result.data;
  const issues: ConfigIssue[] = result.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.') || '(root)';
    const envName = WORKER_CONFIG_ENV[field];
    // Configuration holds no secrets (files are referenced by path), so echoing the bad value is safe and helpful.
    const given = getPath(merged, issue.path.map(String));
    const message =
      given === undefined
        ? issue.code === 'custom'
          ? issue.message
          : 'is required'
        : typeof given === 'string' && issue.message.includes(given)
          ? issue.message
          : `${issue.message} (got ${JSON.stringify(given)})`;
    return envName ? { field, env: envName, message } : { field, message };
  });
  throw new ConfigError(issues);
}
