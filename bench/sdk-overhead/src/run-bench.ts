/**
 * `node --import tsx bench/sdk-overhead/src/run-bench.ts [--seconds S] [--rounds R] [--window W] [--calls M]`
 *
 * 1. Throughput: the same workload — a short workflow calling one no-op activity, executed back to back by a window
 *    of in-flight executions — on a bare `@temporalio/worker` Worker, on a bare Worker given only the SDK's
 *    workflow side, and on `createWorker()`. The variants run side by side, at the same time, for `--seconds` per
 *    round on one dev server (own task queues), so neighbours' CPU load hits all of them alike. Ratio per round =
 *    completed SDK executions / completed bare executions; the figure is the median over rounds.
 * 2. Hot path: an LLM call through `ctx.llm` (key acquired from the real key service on real PostgreSQL, then the
 *    provider stand-in, outcome reported in the background) against the same provider call with a key already in
 *    hand, interleaved in blocks. Added p99 = p99(SDK call) − p99(bare call); the acquire alone is also reported.
 * Writes bench/sdk-overhead/results/latest.json and prints a Markdown summary.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
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
  WorkerMetrics,
} from '../../../packages/worker-sdk/src/index.js';
import { sendOpenAi } from '../../../packages/worker-sdk/src/llm/openai-transport.js';
import * as activities from './activities.js';
import { median, summarise, type Summary } from '../../support/percentiles.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, '../../..');
const workflowsPath = join(here, 'workflows.ts');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}

const SECONDS = arg('seconds', 60);
const ROUNDS = arg('rounds', 3);
const WINDOW = arg('window', 100);
const CALLS = arg('calls', 2000);
const CONCURRENCY = { activities: 100, workflowTasks: 40 };
const log = (m: string): void =>
  void process.stderr.write(`[bench:sdk-overhead ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

/** Executes workflows back to back from WINDOW lanes until `deadline`; returns the executions completed by then. */
async function driveUntil(client: Client, taskQueue: string, deadline: number): Promise<number> {
  let next = 0;
  let completed = 0;
  const lane = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const i = next++;
      await client.workflow.execute('shortWorkflow', {
        taskQueue,
        workflowId: `${taskQueue}-${i}`,
        args: [i],
      });
      if (performance.now() <= deadline) completed++;
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, lane));
  return completed;
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
  // SQLite on tmpfs: the figures should measure the workers, not the disk.
  const [temporal, postgres] = await Promise.all([
    startTemporal({
      dbFile: join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), `bench-sdk-overhead-${process.pid}.db`),
    }),
    startPostgres(),
  ]);
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

    type Variant = 'bare' | 'bare+sdk-workflow' | 'sdk';
    const startVariant = async (
      variant: Variant,
      taskQueue: string,
    ): Promise<{ running: Promise<void>; stop: () => Promise<void> }> => {
      if (variant === 'sdk') {
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
        return { running: worker.run(), stop: () => worker.shutdown() };
      }
      const nc = await NativeConnection.connect({ address: temporal.settings.address });
      const metrics = new WorkerMetrics({ processMetrics: false });
      const worker = await Worker.create({
        connection: nc,
        namespace: temporal.settings.namespace,
        taskQueue,
        activities,
        ...(variant === 'bare'
          ? { workflowBundle: bareBundle }
          : {
              workflowBundle: sdkBundle,
              sinks: {
                apexseoMetrics: {
                  workflowFailed: {
                    fn: (info, t: string) =>
                      metrics.recordWorkflowFailed(t, info.workflowType, info.taskQueue),
                    callDuringReplay: false,
                  },
                  workflowQueueLatency: {
                    fn: (info, sec: number) => metrics.recordQueueLatency(info.taskQueue, 'workflow', sec),
                    callDuringReplay: false,
                  },
                },
              },
            }),
        maxConcurrentActivityTaskExecutions: CONCURRENCY.activities,
        maxConcurrentWorkflowTaskExecutions: CONCURRENCY.workflowTasks,
      });
      return {
        running: worker.run().then(() => nc.close()),
        stop: () => {
          worker.shutdown();
          return Promise.resolve();
        },
      };
    };

    // `bare+sdk-workflow` is a bare Worker given the SDK's workflow side only (bundle with its interceptors and the
    // metrics sinks): it splits any overhead between workflow-side and worker-side wiring.
    const order: readonly Variant[] = ['bare', 'bare+sdk-workflow', 'sdk'];
    const completed: Record<Variant, number[]> = { bare: [], 'bare+sdk-workflow': [], sdk: [] };
    const ratios = { sdk: [] as number[], workflowSide: [] as number[] };
    // Round 0 is a shorter warm-up (JIT, server caches), not counted.
    for (let round = 0; round <= ROUNDS; round++) {
      const variants = [...order.slice(round % 3), ...order.slice(0, round % 3)];
      const started = await Promise.all(
        variants.map(async (v) => {
          const taskQueue = `bench-${v.replace('+', '-')}-${round}-${Date.now()}`;
          return { v, taskQueue, ...(await startVariant(v, taskQueue)) };
        }),
      );
      const seconds = round === 0 ? Math.min(15, SECONDS) : SECONDS;
      const deadline = performance.now() + seconds * 1000;
      const counts = await Promise.all(
        started.map(async (w) => ({ v: w.v, n: await driveUntil(client, w.taskQueue, deadline) })),
      );
      await Promise.all(
        started.map(async (w) => {
          await w.stop();
          await w.running;
        }),
      );
      const by = Object.fromEntries(counts.map((c) => [c.v, c.n])) as Record<Variant, number>;
      log(
        `${round === 0 ? 'warm-up' : `round ${round}`} (${seconds} s): ${variants.map((v) => `${v} ${(by[v] / seconds).toFixed(1)}/s`).join(', ')}`,
      );
      if (round === 0) continue;
      for (const v of order) completed[v].push(by[v] / seconds);
      ratios.sdk.push(by.sdk / by.bare);
      ratios.workflowSide.push(by['bare+sdk-workflow'] / by.bare);
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

    const ratio = median(ratios.sdk);
    const workflowSideRatio = median(ratios.workflowSide);
    const hot = {
      bareCall: summarise(bareMs),
      sdkCall: summarise(sdkMs),
      acquire: summarise(acquireMs),
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
        secondsPerRound: SECONDS,
        rounds: ROUNDS,
        window: WINDOW,
        concurrency: CONCURRENCY,
        calls: CALLS,
      },
      throughput: {
        executionsPerSecond: completed,
        sdkOverBare: ratios.sdk,
        workflowSideOverBare: ratios.workflowSide,
        ratio,
        workflowSideRatio,
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
    const row = (name: string, d: Summary): string =>
      `| ${name} | ${d.n} | ${f(d.p50)} | ${f(d.p95)} | ${f(d.p99)} | ${f(d.max)} |`;
    process.stdout.write(
      [
        `| Variant (side by side, ${SECONDS} s rounds) | executions/s per round |`,
        `| --- | --- |`,
        `| bare @temporalio/worker | ${completed.bare.map((v) => v.toFixed(1)).join(', ')} |`,
        `| bare Worker + SDK workflow interceptors and sinks | ${completed['bare+sdk-workflow'].map((v) => v.toFixed(1)).join(', ')} |`,
        `| createWorker() | ${completed.sdk.map((v) => v.toFixed(1)).join(', ')} |`,
        ``,
        `Throughput ratio SDK / bare per round: ${ratios.sdk.map((r) => r.toFixed(3)).join(', ')}; median **${ratio.toFixed(3)}** (workflow side only: median ${workflowSideRatio.toFixed(3)})`,
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
    rmSync(join('/dev/shm', `bench-sdk-overhead-${process.pid}.db`), { force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
