/**
 * The whole platform on loopback for the proof tests, dedicated to one test file so that its faults never
 * reach another file's servers: PostgreSQL, the Temporal dev server, ClickHouse and Neo4j from the services
 * harness (in a harness folder of their own, so their log files can be scanned and their processes restarted
 * in place), the real key service, the LLM provider stand-in, the bundled sample site, the migrated result
 * stores, and real eeat-worker processes.
 *
 * Key service layout: the harness's first process serves the admin API; workers reach a second process (same
 * database and key material) on a fixed port through a recording proxy, so that process can be stopped and
 * started again on the same address while the proxy notes every acquire and report.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import {
  createDatabaseOn,
  freePort,
  startPlatformServices,
  type ClickHouseSettings,
  type Neo4jSettings,
  type PostgresSettings,
  type RunningService,
  type RunningTemporal,
} from '../../harness/index.js';
import {
  startKeyService,
  type KeyServiceReplica,
  type RunningKeyService,
} from '../../harness/key-service.js';
import { startLlmStandIn, type LlmStandIn } from '../../stand-ins/llm-provider.js';
import {
  startSampleSite,
  type SampleSite,
} from '../../../packages/eeat-worker/test/local-stack/sample-site-server.js';
import {
  openStoreClients,
  type StoreClients,
} from '../../../packages/eeat-worker/src/worker/store-clients.js';
import { startKeyServiceRecorder, type KeyServiceRecorder } from './key-service-recorder.js';
import { serviceRestarter, type ServiceRestarter } from './service-restart.js';
import { startFleetWorker, type FleetWorker } from './worker-fleet.js';
import type { LlmProvider } from '../../../packages/worker-sdk/src/index.js';

export interface ProofStackOptions {
  /** Names the temp folders. */
  readonly name: string;
  /** Extra key-service settings, e.g. KEY_SERVICE_BREAKER_COOLDOWN_SECONDS. */
  readonly keyServiceEnv?: Readonly<Record<string, string>>;
  /** Extra worker settings. */
  readonly workerEnv?: Readonly<Record<string, string>>;
}

export interface ProofStack {
  readonly root: string;
  readonly logDir: string;
  readonly postgres: RunningService<PostgresSettings>;
  readonly keysDatabase: PostgresSettings;
  readonly temporal: RunningTemporal;
  readonly clickhouse: RunningService<ClickHouseSettings>;
  readonly clickhouseSettings: ClickHouseSettings;
  readonly neo4j: RunningService<Neo4jSettings>;
  readonly keys: RunningKeyService;
  readonly recorder: KeyServiceRecorder;
  readonly llm: LlmStandIn;
  readonly site: SampleSite;
  readonly stores: StoreClients;
  readonly client: Client;
  readonly restarter: ServiceRestarter;
  readonly workers: FleetWorker[];
  /** The key-service process the workers use (undefined while it is stopped). */
  workerKeyService(): KeyServiceReplica | undefined;
  stopWorkerKeyService(): Promise<void>;
  startWorkerKeyService(): Promise<void>;
  /** Stores (or replaces) a tenant's key through the admin API, as the app backend does. */
  putKey(tenantId: string, apiKey: string, provider?: LlmProvider): Promise<{ keyVersion: number }>;
  startWorker(
    name: string,
    taskQueue: string,
    extraEnv?: Readonly<Record<string, string>>,
  ): Promise<FleetWorker>;
  /** Every log the run produced that lives in memory (key-service processes). */
  inMemoryLogs(): Array<{ name: string; text: string }>;
  close(): Promise<void>;
}

export async function startProofStack(options: ProofStackOptions): Promise<ProofStack> {
  const root = await mkdtemp(join(tmpdir(), `apexseo-proof-${options.name}-`));
  // PostgreSQL runs as its own OS user and must be able to reach its data folder below this root.
  await chmod(root, 0o755);
  const logDir = join(root, 'worker-logs');
  await mkdir(logDir);
  const previousRoot = process.env.APEXSEO_HARNESS_TMPDIR;
  process.env.APEXSEO_HARNESS_TMPDIR = root;
  const cleanups: Array<() => Promise<unknown>> = [];
  const close = async (): Promise<void> => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
    cleanups.length = 0;
    if (previousRoot === undefined) delete process.env.APEXSEO_HARNESS_TMPDIR;
    else process.env.APEXSEO_HARNESS_TMPDIR = previousRoot;
    await rm(root, { recursive: true, force: true });
  };
  try {
    const platform = await startPlatformServices();
    cleanups.push(() => platform.stop());
    const { postgres, temporal, clickhouse, neo4j } = platform;
    const restarter = serviceRestarter(root);
    cleanups.push(() => restarter.stopAll());

    const keysDatabase = await createDatabaseOn(postgres.settings, 'apexseo_keys');
    const keys = await startKeyService({ postgres: keysDatabase, env: { ...options.keyServiceEnv } });
    cleanups.push(() => keys.stop());
    const workerKeyPort = await freePort();
    const workerKeyMetricsPort = await freePort();
    const replicaEnv = {
      KEY_SERVICE_PORT: String(workerKeyPort),
      KEY_SERVICE_METRICS_PORT: String(workerKeyMetricsPort),
    };
    let replica: KeyServiceReplica | undefined = await keys.startReplica(replicaEnv);
    const stoppedReplicaLogs: string[] = [];
    const recorder = await startKeyServiceRecorder(`http://127.0.0.1:${workerKeyPort}`);
    cleanups.push(() => recorder.close());

    const llm = await startLlmStandIn();
    cleanups.push(() => llm.close());
    const site = await startSampleSite();
    cleanups.push(() => site.close());

    const clickhouseSettings = { ...clickhouse.settings, database: 'apexseo' };
    const stores = openStoreClients({ clickhouse: clickhouseSettings, neo4j: neo4j.settings });
    cleanups.push(() => stores.close());
    await stores.migrate();

    const connection = await Connection.connect({ address: temporal.settings.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: temporal.settings.namespace });

    const tokenFile = await keys.writeTokenFile(root, {
      namespace: 'apexseo',
      serviceAccount: 'eeat-worker',
      expiresIn: '2h',
    });
    const baseEnv: Record<string, string> = {
      APEXSEO_TEMPORAL_ADDRESS: temporal.settings.address,
      APEXSEO_TEMPORAL_NAMESPACE: temporal.settings.namespace,
      APEXSEO_CLICKHOUSE_URL: clickhouseSettings.url,
      APEXSEO_CLICKHOUSE_USER: clickhouseSettings.username,
      APEXSEO_CLICKHOUSE_PASSWORD: clickhouseSettings.password,
      APEXSEO_CLICKHOUSE_DATABASE: clickhouseSettings.database,
      APEXSEO_NEO4J_URL: neo4j.settings.boltUrl,
      APEXSEO_NEO4J_USER: neo4j.settings.username,
      APEXSEO_NEO4J_PASSWORD: neo4j.settings.password,
      APEXSEO_KEY_SERVICE_URL: recorder.url,
      APEXSEO_KEY_SERVICE_TOKEN_FILE: tokenFile,
      APEXSEO_OPENAI_BASE_URL: llm.url,
      APEXSEO_ANTHROPIC_BASE_URL: llm.url,
      APEXSEO_SCORING: 'llm',
      APEXSEO_MAX_CONCURRENT_ACTIVITIES: '8',
      APEXSEO_SHUTDOWN_GRACE_SECONDS: '20',
      ...options.workerEnv,
    };
    // One prebuilt workflow bundle for every worker process, as production images ship it: each worker start
    // then skips webpack (minutes of CPU on this shared machine for four workers and their restarts).
    const bundleFile = join(root, 'workflow-bundle.js');
    await buildWorkflowBundle(bundleFile);
    baseEnv.APEXSEO_WORKFLOW_BUNDLE = bundleFile;
    const workers: FleetWorker[] = [];
    cleanups.push(async () => {
      await Promise.all(workers.map((w) => w.kill()));
    });

    return {
      root,
      logDir,
      postgres,
      keysDatabase,
      temporal,
      clickhouse,
      clickhouseSettings,
      neo4j,
      keys,
      recorder,
      llm,
      site,
      stores,
      client,
      restarter,
      workers,
      workerKeyService: () => replica,
      async stopWorkerKeyService() {
        if (!replica) return;
        stoppedReplicaLogs.push(replica.logs());
        await replica.stop();
        replica = undefined;
      },
      async startWorkerKeyService() {
        if (replica) return;
        replica = await keys.startReplica(replicaEnv);
      },
      async putKey(tenantId, apiKey, provider = 'openai') {
        const res = await fetch(`${keys.url}/v1/tenants/${encodeURIComponent(tenantId)}/keys/${provider}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${keys.adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ apiKey }),
        });
        if (!res.ok) throw new Error(`storing the key of ${tenantId} answered ${res.status}`);
        return (await res.json()) as { keyVersion: number };
      },
      async startWorker(name, taskQueue, extraEnv = {}) {
        const worker = await startFleetWorker(name, taskQueue, { ...baseEnv, ...extraEnv }, logDir);
        workers.push(worker);
        return worker;
      },
      inMemoryLogs: () => [
        { name: 'key-service (admin)', text: keys.logs() },
        ...stoppedReplicaLogs.map((text, i) => ({ name: `key-service (workers, stopped #${i + 1})`, text })),
        ...(replica ? [{ name: 'key-service (workers)', text: replica.logs() }] : []),
      ],
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

const BUNDLE_BUILDER = fileURLToPath(
  new URL('../../../packages/eeat-worker/src/worker/build-workflow-bundle.ts', import.meta.url),
);

function buildWorkflowBundle(outFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', BUNDLE_BUILDER, outFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`workflow bundle build failed (${String(code)}):\n${stderr.slice(-2000)}`)),
    );
  });
}

/** A throwaway file under the stack's root (used to plant a canary for the leak scan's self-check). */
export async function writeRootFile(stack: ProofStack, name: string, text: string): Promise<string> {
  const path = join(stack.root, name);
  await writeFile(path, text);
  return path;
}
