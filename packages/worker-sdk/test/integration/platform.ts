/**
 * Test platform for the SDK's integration tests: the real Temporal dev server and real key service on real
 * PostgreSQL (from the services harness), the LLM wire-format stand-in, a worker token file, and helpers to store
 * tenant keys, resume tenants and run worker processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { request } from 'undici';
import { startKeyService, type RunningKeyService } from '../../../../test/harness/key-service.js';
import { createDatabase, useServices, type TemporalSettings } from '../../../../test/harness/index.js';
import { startLlmStandIn, type LlmStandIn } from '../../../../test/stand-ins/llm-provider.js';
import { loadWorkerConfig, type WorkerConfig } from '../../src/index.js';
import type { LlmProvider } from '../../src/index.js';

export interface Platform {
  readonly temporal: TemporalSettings;
  readonly keys: RunningKeyService;
  readonly llm: LlmStandIn;
  readonly tokenFile: string;
  readonly client: Client;
  /** Worker configuration for this platform (metrics on free ports). */
  config(taskQueue: string, overrides?: Parameters<typeof loadWorkerConfig>[0]): WorkerConfig;
  /** APEXSEO_* variables for a worker process. */
  workerEnv(taskQueue: string, extra?: Record<string, string>): Record<string, string>;
  putKey(tenantId: string, provider: LlmProvider, apiKey: string): Promise<number>;
  resumeTenant(tenantId: string): Promise<void>;
  keyStatus(tenantId: string, provider: LlmProvider): Promise<{ state: string; paused: boolean }>;
  close(): Promise<void>;
}

async function admin(
  keys: RunningKeyService,
  method: 'PUT' | 'POST',
  path: string,
  body: unknown,
): Promise<unknown> {
  const res = await request(`${keys.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${keys.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200)
    throw new Error(`key service ${method} ${path} answered ${res.statusCode}: ${text}`);
  return JSON.parse(text) as unknown;
}

export async function startPlatform(name: string): Promise<Platform> {
  const { temporal } = await useServices('temporal', 'postgres');
  const keys = await startKeyService({
    postgres: await createDatabase(name),
    // 401 keys never heal: no half-open probes during a test.
    env: { KEY_SERVICE_BREAKER_COOLDOWN_SECONDS: '3600' },
  });
  const dir = await mkdtemp(join(tmpdir(), `${name}-`));
  const tokenFile = await keys.writeTokenFile(dir, {
    namespace: 'apexseo',
    serviceAccount: 'eeat-worker',
    expiresIn: '2h',
  });
  const llm = await startLlmStandIn();
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: temporal.namespace });
  const env = (taskQueue: string, extra: Record<string, string> = {}): Record<string, string> => ({
    APEXSEO_TEMPORAL_ADDRESS: temporal.address,
    APEXSEO_TEMPORAL_NAMESPACE: temporal.namespace,
    APEXSEO_TASK_QUEUE: taskQueue,
    APEXSEO_KEY_SERVICE_URL: keys.url,
    APEXSEO_KEY_SERVICE_TOKEN_FILE: tokenFile,
    APEXSEO_OPENAI_BASE_URL: llm.url,
    APEXSEO_ANTHROPIC_BASE_URL: llm.url,
    APEXSEO_METRICS_PORT: '0',
    APEXSEO_TEMPORAL_METRICS_PORT: '0',
    APEXSEO_LLM_TIMEOUT_MS: '10000',
    ...extra,
  });
  return {
    temporal,
    keys,
    llm,
    tokenFile,
    client,
    config: (taskQueue, overrides = {}) =>
      loadWorkerConfig(
        { ...overrides, metrics: { host: '127.0.0.1', ...overrides.metrics } },
        env(taskQueue),
      ),
    workerEnv: env,
    async putKey(tenantId, provider, apiKey) {
      const answer = (await admin(keys, 'PUT', `/v1/tenants/${tenantId}/keys/${provider}`, { apiKey })) as {
        keyVersion: number;
      };
      return answer.keyVersion;
    },
    async resumeTenant(tenantId) {
      await admin(keys, 'POST', `/v1/tenants/${tenantId}/resume`, {});
    },
    async keyStatus(tenantId, provider) {
      const token = await keys.mintWorkerToken({ namespace: 'apexseo', serviceAccount: 'eeat-worker' });
      const res = await request(`${keys.url}/v1/keys/status`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ tenantId, provider }),
      });
      return (await res.body.json()) as { state: string; paused: boolean };
    },
    async close() {
      await connection.close();
      await llm.close();
      await keys.stop();
    },
  };
}

/** A worker running in its own process (worker-main.ts). */
export interface WorkerProcess {
  readonly child: ChildProcess;
  /** stdout + stderr so far. */
  output(): string;
  /** Resolves with the metrics port once the worker polls. */
  readonly ready: Promise<number>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

const WORKER_MAIN = fileURLToPath(new URL('./fixtures/worker-main.ts', import.meta.url));

export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_MAIN], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<number>((resolve, reject) => {
    const onData = (): void => {
      const m = /WORKER_READY (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout.on('data', onData);
    void exited.then((code) => reject(new Error(`worker exited (${code}) before it was ready:\n${out}`)));
  });
  return {
    child,
    output: () => out,
    ready,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
