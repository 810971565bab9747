/**
 * `node --import tsx bench/sdk-overhead/src/run-bench.ts [--executions N] [--rounds R] [--calls M]`
 *
 * 1. Throughput: the same workload — a short workflow calling one no-op activity, N executions with a window of
 *    in-flight executions — on a bare `@temporalio/worker` Worker and on `createWorker()`, alternating rounds in
 *    one run on one dev server. Ratio = median SDK throughput / median bare throughput.
 * 2. Hot path: an LLM call through `ctx.llm` (key acquired from the real key service on real PostgreSQL, then the
 *    provider stand-in, outcome reported in the background) against the same provider call with a key already in
 *    hand, interleaved in blocks. Added p99 = p99(SDK call) − p99(bare call); the acquire alone is also reported.
 * Writes bench/sdk-overhead/results/latest.json and prints a Markdown summary.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtemp } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { pino } from 'pino';
import { Agent } from 'undici';
import { startKeyService } from '../../../test/harness/key-service.js';
import { createDatabaseOn, startPostgres, startTemporal } from '../../../test/harness/index.js';
import { startLlmStandIn } from '../../../test/stand-ins/llm-provider.js';
import {
  bundleWorkflows,
  createSdkRuntime,
  createWorker,
  loadWorkerConfig,
  TenantKey,
  TenantLlmClient,
} from '../../../packages/worker-sdk/src/index.js';
import { sendOpenAi } from '../../../packages/worker-sdk/src/llm/openai-transport.js';
import * as activities from './activities.js';
import { distribution, median, type Distribution } from './percentiles.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, '../../..');
const workflowsPath = join(here, 'workflows.ts');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}

const EXECUTIONS = arg('executions', 2000);
const ROUNDS = arg('rounds', 3);
const WINDOW = arg('window', 100);
const CALLS = arg('calls', 2000);
const CONCURRENCY = { activities: 100, workflowTasks: 40 };
const log = (m: string): void =>
  void process.stderr.write(`[bench:sdk-overhead ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

async function drive(client: Client, taskQueue: string): Promise<number> {
  let next = 0;
  const started = performance.now();
  const lane = async (): Promise<void> => {
    for (let i = next++; i < EXECUTIONS; i = next++) {
      await client.workflow.execute('shortWorkflow', {
        taskQueue,
        workflowId: `${taskQueue}-${i}`,
        args: [i],
      });
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, lane));
  return EXECUTIONS / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  // One Core runtime for both variants, with the Prometheus exporter createWorker would install.
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: {
      metrics: { prometheus: { bindAddress: '127.0.0.1:0', useSecondsForDurations: true } },
    },
  });
  log('starting Temporal dev server and PostgreSQL');
  const [temporal, postgres] = await Promise.all([startTemporal(), startPostgres()]);
  const llm = await startLlmStandIn();
  const keys = await startKeyService({
    postgres: await createDatabaseOn(postgres.settings, 'bench_sdk_overhead'),
  });
  const connection = await Connection.connect({ address: temporal.settings.address });
  const client = new Client({ connection, namespace: temporal.settings.namespace });
  const quiet = pino({ level: 'warn' });
  try {
    log('bundling workflows (bare: plain bundle; SDK: bundle with the SDK interceptors)');
    const bareBundle = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
    const sdkBundle = await bundleWorkflows({ workflowsPath });
    const tokenDir = await mkdtemp(join(tmpdir(), 'bench-sdk-'));
    const tokenFile = await keys.writeTokenFile(tokenDir, {
      namespace: 'apexseo',
      serviceAccount: 'eeat-worker',
      expiresIn: '2h',
    });
    const env = {
      APEXSEO_TEMPORAL_ADDRESS: temporal.settings.address,
      APEXSEO_TEMPORAL_NAMESPACE: temporal.settings.namespace,
      APEXSEO_KEY_SERVICE_URL: keys.url,
      APEXSEO_KEY_SERVICE_TOKEN_FILE: tokenFile,
      APEXSEO_OPENAI_BASE_URL: llm.url,
      APEXSEO_ANTHROPIC_BASE_URL: llm.url,
    };

    // Warm-up: one small round each, so JIT and server caches do not favour the second variant.
    const throughput = { bare: [] as number[], sdk: [] as number[] };
    for (let round = 0; round <= ROUNDS; round++) {
      for (const variant of round % 2 === 0 ? (['bare', 'sdk'] as const) : (['sdk', 'bare'] as const)) {
        const taskQueue = `bench-${variant}-${round}-${Date.now()}`;
        let run: () => Promise<void>;
        let stop: () => Promise<void>;
        if (variant === 'bare') {
          const nc = await NativeConnection.connect({ address: temporal.settings.address });
          const worker = await Worker.create({
            connection: nc,
            namespace: temporal.settings.namespace,
            taskQueue,
            activities,
            workflowBundle: bareBundle,
            maxConcurrentActivityTaskExecutions: CONCURRENCY.activities,
            maxConcurrentWorkflowTaskExecutions: CONCURRENCY.workflowTasks,
          });
          run = () => worker.run().then(() => nc.close());
          stop = () => {
            worker.shutdown();
            return Promise.resolve();
          };
        } else {
          const worker = await createWorker({
            config: loadWorkerConfig(
              {
                taskQueue,
                metrics: { port: 0, host: '127.0.0.1' },
                concurrency: {
                  maxConcurrentActivities: CONCURRENCY.activities,
                  maxConcurrentWorkflowTasks: CONCURRENCY.workflowTasks,
                },
              },
              env,
            ),
            activities,
            workflowBundle: sdkBundle,
            logger: quiet,
          });
          run = () => worker.run();
          stop = () => worker.shutdown();
        }
        const running = run();
        const perSecond = await drive(client, taskQueue);
        await stop();
        await running;
        if (round === 0) log(`warm-up ${variant}: ${perSecond.toFixed(1)} executions/s`);
        else {
          throughput[variant].push(perSecond);
          log(`round ${round} ${variant}: ${perSecond.toFixed(1)} executions/s`);
        }
      }
    }

    log(`hot path: ${CALLS} LLM calls with and without a key acquire`);
    const apiKey = 'sk-bench-tenant-key-000000000001';
    const put = await fetch(`${keys.url}/v1/tenants/tenant-bench/keys/openai`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${keys.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey }),
    });
    const { keyVersion } = (await put.json()) as { keyVersion: number };
    llm.setDefault(apiKey, { kind: 'ok', text: 'fine' });
    const runtime = createSdkRuntime({
      config: loadWorkerConfig({ taskQueue: 'bench' }, env),
      client,
      logger: quiet,
    });
    const tenant = { tenantId: 'tenant-bench', plan: 'mrr', provider: 'openai' } as const;
    const sdkLlm = new TenantLlmClient(runtime, tenant);
    const dispatcher = new Agent({ keepAliveTimeout: 30_000 });
    const heldKey = new TenantKey({ tenantId: tenant.tenantId, provider: 'openai', keyVersion, apiKey });
    const request = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }] as const,
      maxTokens: 16,
    };
    const bareMs: number[] = [];
    const sdkMs: number[] = [];
    const acquireMs: number[] = [];
    for (let i = 0; i < 50; i++) {
      await sdkLlm.chat(request);
      await sendOpenAi(dispatcher, llm.url, heldKey, request, 10_000);
    }
    const block = 100;
    for (let done = 0; done < CALLS; done += block) {
      for (let i = 0; i < block; i++) {
        const t0 = performance.now();
        await sendOpenAi(dispatcher, llm.url, heldKey, request, 10_000);
        bareMs.push(performance.now() - t0);
      }
      for (let i = 0; i < block; i++) {
        const t0 = performance.now();
        await sdkLlm.chat(request);
        sdkMs.push(performance.now() - t0);
      }
      for (let i = 0; i < block / 4; i++) {
        const t0 = performance.now();
        await runtime.keyService.acquire(tenant.tenantId, 'openai');
        acquireMs.push(performance.now() - t0);
      }
    }
    await runtime.close();
    await dispatcher.close();

    const bare = median(throughput.bare);
    const sdk = median(throughput.sdk);
    const hot = {
      bareCall: distribution(bareMs),
      sdkCall: distribution(sdkMs),
      acquire: distribution(acquireMs),
    };
    const result = {
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model ?? 'unknown',
        loadavg1: loadavg()[0],
        node: process.version,
      },
      workload: {
        executions: EXECUTIONS,
        rounds: ROUNDS,
        window: WINDOW,
        concurrency: CONCURRENCY,
        calls: CALLS,
      },
      throughput: {
        bare: throughput.bare,
        sdk: throughput.sdk,
        bareMedian: bare,
        sdkMedian: sdk,
        ratio: sdk / bare,
      },
      hotPath: {
        ...hot,
        addedP50Ms: hot.sdkCall.p50 - hot.bareCall.p50,
        addedP99Ms: hot.sdkCall.p99 - hot.bareCall.p99,
      },
    };
    const outDir = join(repoRoot, 'bench/sdk-overhead/results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
    const f = (v: number): string => v.toFixed(2);
    const row = (name: string, d: Distribution): string =>
      `| ${name} | ${d.n} | ${f(d.p50)} | ${f(d.p95)} | ${f(d.p99)} | ${f(d.max)} |`;
    process.stdout.write(
      [
        `| Variant | Rounds (executions/s) | Median |`,
        `| --- | --- | --- |`,
        `| bare @temporalio/worker | ${throughput.bare.map((v) => v.toFixed(1)).join(', ')} | ${bare.toFixed(1)} |`,
        `| createWorker() | ${throughput.sdk.map((v) => v.toFixed(1)).join(', ')} | ${sdk.toFixed(1)} |`,
        ``,
        `Throughput ratio SDK / bare: **${(sdk / bare).toFixed(3)}**`,
        ``,
        `| Call (ms) | n | p50 | p95 | p99 | max |`,
        `| --- | --- | --- | --- | --- | --- |`,
        row('provider call, key in hand', hot.bareCall),
        row('ctx.llm call (acquire + call + report)', hot.sdkCall),
        row('key acquire alone', hot.acquire),
        ``,
        `Added by the key acquire on the hot path: p50 +${f(result.hotPath.addedP50Ms)} ms, p99 +${f(result.hotPath.addedP99Ms)} ms`,
        ``,
      ].join('\n'),
    );
  } finally {
    await connection.close();
    await llm.close();
    await keys.stop();
    await Promise.all([temporal.stop(), postgres.stop()]);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
