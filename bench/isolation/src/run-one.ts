/**
 * One run of the isolation benchmark on a fresh Temporal dev server:
 *   A: priority audits arrive at a steady rate, alone.
 *   B: the same arrivals, while `flood` lifetime-deal audits are dumped on eeat-standard at once.
 *   C: B with both pools polling one shared queue (no isolation).
 *   D: B with the flood admitted at a bounded start rate (admission control in the app backend).
 * Latencies come from the server's history events; the backlog from DescribeTaskQueue (the KEDA signal).
 */
import { loadavg } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import type { BenchConfig } from './bench-config.js';
import { countPollers, startBacklogPoller, type BacklogSample } from './backlog-poller.js';
import { startCpuSampler, type CpuSample } from './cpu-sampler.js';
import { readAuditLatencies, type AuditLatency } from './history-latency.js';
import { startPostgres, startTemporal } from '../../../test/harness/index.js';
import { startTsChild, waitForLine, type Child } from './processes.js';

export type RunName = 'A' | 'B' | 'C' | 'D';

export interface FloodProgress {
  readonly t: number;
  readonly started: number;
}

export interface RunResult {
  readonly run: RunName;
  readonly queues: { priority: string; standard: string };
  readonly arrivals: number;
  readonly latencies: AuditLatency[];
  readonly startRpcMs: number[];
  /** Each priority audit: when it arrived (ms since t0) and how long its start RPC took at the client. */
  readonly priorityStarts?: Array<{ workflowId: string; arrivalT: number; startRpcMs: number | null }>;
  /** CPU per process of the run and of the rest of the machine, every second (cpu-sampler.ts). */
  readonly cpu?: CpuSample[];
  /** Run D: the admitted lifetime-deal audits' histories, event times in ms since t0 (to line up with priority). */
  readonly floodTimelines?: Array<{ workflowId: string; events: Array<[string, number]> }>;
  readonly backlog: BacklogSample[];
  readonly backlogPollErrors: number;
  readonly flood: null | {
    requested: number;
    started: number;
    failed: number;
    startSeconds: number;
    startsPerSecond: number;
    /** Run D: admission was still going when the priority measurement ended and was stopped there. */
    stoppedAtEnd: boolean;
    /** Run D: when each admitted start was sent (ms since t0), and the starting processes' own CPU time (ms). */
    sentT?: number[];
    starterCpuMs?: number[];
    floodStartT: number;
    progress: FloodProgress[];
    completedWithinWait: number;
    drainedAtT: number | null;
  };
  readonly loadAverage: Array<{ t: number; load1: number }>;
  readonly wallSeconds: number;
  /** wall-clock time of t0 (the first priority arrival), ISO */
  readonly startedAt?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitForPollers(connection: Connection, queue: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const [wf, act] = await Promise.all([
      countPollers(connection, queue, 'workflow'),
      countPollers(connection, queue, 'activity'),
    ]);
    if (wf > 0 && act > 0) return;
    await sleep(250);
  }
  throw new Error(`no pollers on ${queue} after ${timeoutMs} ms`);
}

async function countRunning(client: Client, queue: string): Promise<number> {
  const { count } = await client.workflow.count(`TaskQueue = '${queue}' AND ExecutionStatus = 'Running'`);
  return count;
}

export async function runOne(
  run: RunName,
  config: BenchConfig,
  bundlePath: string,
  log: (msg: string) => void,
): Promise<RunResult> {
  const runStarted = Date.now();
  const queues =
    run === 'C'
      ? { priority: 'eeat-shared', standard: 'eeat-shared' }
      : { priority: 'eeat-priority', standard: 'eeat-standard' };
  // A fresh dev server per run, so that no run inherits another's backlog.
  const temporalServer = await startTemporal(
    config.transferPollRps > 0
      ? { extraDynamicConfig: { 'history.transferProcessorMaxPollRPS': String(config.transferPollRps) } }
      : {},
  );
  const temporal = temporalServer.settings;
  const children: Child[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: 'default' });
  try {
    const workerEnv = (queue: string): Record<string, string> => ({
      BENCH_TEMPORAL_ADDRESS: temporal.address,
      BENCH_TASK_QUEUE: queue,
      BENCH_WORKFLOW_BUNDLE: bundlePath,
      BENCH_MAX_ACTIVITIES: String(config.maxActivities),
      BENCH_MAX_WORKFLOW_TASKS: String(config.maxWorkflowTasks),
    });
    const pinned = (cpus: string): { cpus?: string } => (config.pinPools === 1 ? { cpus } : {});
    const priorityPool = startTsChild(
      'priority-pool',
      'worker-process.ts',
      workerEnv(queues.priority),
      pinned('0'),
    );
    const standardPool = startTsChild(
      'standard-pool',
      'worker-process.ts',
      workerEnv(queues.standard),
      pinned('1'),
    );
    children.push(priorityPool, standardPool);
    await Promise.all([priorityPool, standardPool].map((c) => waitForLine(c, (l) => l === 'READY', 120_000)));
    await waitForPollers(connection, queues.priority, 60_000);
    await waitForPollers(connection, queues.standard, 60_000);

    // The flood's starting processes (and, for several, the PostgreSQL that holds their shared budget). With
    // `floodPrestart` they are started and connected before the measurement, as the app backend's replicas are
    // already running when a flood of sign-ups arrives; otherwise at the flood's instant, inside the measurement.
    const labels = new Map<number, string>();
    for (const child of children) if (child.process.pid) labels.set(child.process.pid, child.name);
    const floodProcesses = run === 'A' ? 0 : run === 'D' ? config.floodProcesses : 1;
    const floodChildren: Child[] = [];
    const startedBy = new Array<number>(floodProcesses).fill(0);
    const progress: FloodProgress[] = [];
    let t0 = 0;
    const spawnFloods = async (): Promise<void> => {
      const admissionDb = floodProcesses > 1 ? await startPostgres() : undefined;
      if (admissionDb) cleanups.push(() => admissionDb.stop());
      for (let p = 0; p < floodProcesses; p++) {
        const share = Math.floor(config.flood / floodProcesses) + (p < config.flood % floodProcesses ? 1 : 0);
        const child = startTsChild(
          `flood-${p}`,
          'flood-process.ts',
          {
            BENCH_TEMPORAL_ADDRESS: temporal.address,
            BENCH_TASK_QUEUE: queues.standard,
            BENCH_FLOOD_COUNT: String(share),
            BENCH_FLOOD_CLIENTS: String(config.floodClients),
            BENCH_FLOOD_WINDOW: String(config.floodWindow),
            BENCH_FLOOD_RATE: String(run === 'D' ? config.floodAdmitRate : 0),
            BENCH_FLOOD_PREFIX: String(p),
            BENCH_FLOOD_WAIT_FOR_GO: '1',
            ...(admissionDb ? { BENCH_ADMISSION_PG_URL: admissionDb.settings.url } : {}),
            BENCH_COST_JSON: JSON.stringify(config.cost),
          },
          { stdin: true, ...pinned('1') },
        );
        children.push(child);
        floodChildren.push(child);
        if (child.process.pid) labels.set(child.process.pid, child.name);
        child.onLine((line) => {
          const msg = JSON.parse(line) as { kind: string; started: number };
          if (msg.kind !== 'progress') return;
          startedBy[p] = msg.started;
          progress.push({ t: Date.now() - t0, started: startedBy.reduce((a, b) => a + b, 0) });
        });
      }
      await Promise.all(
        floodChildren.map((c) => waitForLine(c, (l) => l.includes('"kind":"ready"'), 120_000)),
      );
    };
    if (config.floodPrestart && floodProcesses > 0) await spawnFloods();

    // Warm-up: a few audits through each queue so connection set-up and first bundle load are not measured.
    const warm = await Promise.all(
      [queues.priority, queues.standard].flatMap((queue, q) =>
        Array.from({ length: 5 }, (_, i) =>
          client.workflow.start('benchAuditPage', {
            taskQueue: queue,
            workflowId: `warmup-${q}-${i}`,
            args: [{ auditId: `warmup-${q}-${i}`, cost: config.cost }],
          }),
        ),
      ),
    );
    await Promise.all(warm.map((h) => h.result()));
    log(`run ${run}: workers ready on ${temporal.address}, warm-up done`);

    t0 = Date.now();
    const loadAverage: Array<{ t: number; load1: number }> = [];
    const loadTimer = setInterval(
      () => loadAverage.push({ t: Date.now() - t0, load1: loadavg()[0] ?? 0 }),
      5000,
    );
    const cpu = startCpuSampler(t0, 1000, (pid) => labels.get(pid));
    const poller = startBacklogPoller(
      connection,
      [...new Set([queues.priority, queues.standard])],
      t0,
      config.pollIntervalMs,
    );

    // Flood (B, C, D): its own process(es), several clients each, dumped at once (D: through the admission gate).
    let flood: RunResult['flood'] = null;
    const floodDone: Promise<void> =
      floodProcesses === 0
        ? Promise.resolve()
        : (async () => {
            await sleep(config.floodDelaySeconds * 1000);
            const floodStartT = Date.now() - t0;
            if (!config.floodPrestart) await spawnFloods();
            for (const child of floodChildren) child.process.stdin?.write('go\n');
            const floods = floodChildren;
            const dones = await Promise.all(
              floods.map(async (child) => {
                const doneLine = await waitForLine(child, (l) => l.includes('"kind":"done"'), 1_800_000);
                return JSON.parse(doneLine) as {
                  started: number;
                  failed: number;
                  stopped: boolean;
                  elapsedMs: number;
                  sentAt: number[];
                  cpuMicros: { user: number; system: number };
                };
              }),
            );
            const done = {
              started: dones.reduce((n, d) => n + d.started, 0),
              failed: dones.reduce((n, d) => n + d.failed, 0),
              stopped: dones.some((d) => d.stopped),
              elapsedMs: Math.max(...dones.map((d) => d.elapsedMs)),
              startsPerSecond: 0,
            };
            done.startsPerSecond = done.started / (done.elapsedMs / 1000);
            progress.push({ t: Date.now() - t0, started: done.started });
            flood = {
              requested: config.flood,
              started: done.started,
              failed: done.failed,
              startSeconds: done.elapsedMs / 1000,
              startsPerSecond: done.startsPerSecond,
              stoppedAtEnd: done.stopped,
              sentT: dones.flatMap((d) => d.sentAt.map((at) => at - t0)).sort((a, b) => a - b),
              starterCpuMs: dones.map((d) => Math.round((d.cpuMicros.user + d.cpuMicros.system) / 1000)),
              floodStartT,
              progress,
              completedWithinWait: 0,
              drainedAtT: null,
            };
            log(
              `run ${run}: flood of ${done.started} started in ${(done.elapsedMs / 1000).toFixed(1)} s (${done.startsPerSecond.toFixed(0)}/s, ${done.failed} failed)`,
            );
          })();

    // Priority arrivals at a steady rate; each start is fired without waiting for the previous one.
    const total = Math.round(config.rate * config.arrivalSeconds);
    const arrivals: Array<{ workflowId: string; arrivalMs: number }> = [];
    const startRpcMs: number[] = [];
    const priorityStarts: Array<{ workflowId: string; arrivalT: number; startRpcMs: number | null }> = [];
    const starts: Array<Promise<void>> = [];
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / config.rate;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      const workflowId = `mrr-${String(i).padStart(5, '0')}`;
      const arrivalMs = Date.now();
      arrivals.push({ workflowId, arrivalMs });
      const record = { workflowId, arrivalT: arrivalMs - t0, startRpcMs: null as number | null };
      priorityStarts.push(record);
      starts.push(
        client.workflow
          .start('benchAuditPage', {
            taskQueue: queues.priority,
            workflowId,
            args: [{ auditId: workflowId, cost: config.cost }],
          })
          .then(() => {
            record.startRpcMs = Date.now() - arrivalMs;
            startRpcMs.push(record.startRpcMs);
          }),
      );
    }
    await Promise.all(starts);
    log(`run ${run}: ${total} priority arrivals sent`);

    // Wait for every priority audit (bounded), then for the flood to start and drain (bounded).
    const priorityDeadline = Date.now() + config.priorityWaitSeconds * 1000;
    // Result long-polls still open at the deadline are aborted: a gRPC retry firing after the connection is
    // closed would otherwise throw from a timer. An audit still running then is measured as not completed.
    const stopWaiting = new AbortController();
    const waitTimer = setTimeout(() => stopWaiting.abort(), Math.max(0, priorityDeadline - Date.now()));
    await Promise.all(
      arrivals.map(({ workflowId }) =>
        client
          .withAbortSignal(stopWaiting.signal, () => client.workflow.getHandle(workflowId).result())
          .then(
            () => undefined,
            () => undefined,
          ),
      ),
    );
    clearTimeout(waitTimer);
    // Run D admits at a bounded rate, so a full-size flood outlasts the measurement: admission stops here and
    // the drain below covers what was admitted.
    if (run === 'D') for (const child of floodChildren) child.process.kill('SIGTERM');
    await floodDone;
    const floodResult = flood as RunResult['flood'];
    if (floodResult) {
      // Run C's flood shares the priority queue: once every priority audit is in, its drain says nothing new.
      const drainDeadline = Date.now() + (run === 'C' ? 0 : config.drainWaitSeconds * 1000);
      let running = await countRunning(client, queues.standard);
      while (running > 0 && Date.now() < drainDeadline) {
        await sleep(2000);
        running = await countRunning(client, queues.standard);
      }
      // Keep sampling briefly after the drain so the series shows the backlog at zero (stats are cached ~5 s).
      if (running === 0) {
        floodResult.drainedAtT = Date.now() - t0;
        await sleep(8000);
      }
      const { count: completed } = await client.workflow.count(
        `TaskQueue = '${queues.standard}' AND ExecutionStatus = 'Completed' AND WorkflowId STARTS_WITH 'ltd-'`,
      );
      floodResult.completedWithinWait = completed;
      log(
        `run ${run}: flood ${running === 0 ? 'drained' : `not drained (${running} running)`}, ${completed} completed`,
      );
    }
    await poller.stop();
    clearInterval(loadTimer);
    cpu.stop();

    const latencies = await readAuditLatencies(client, arrivals, 8);
    let floodTimelines: RunResult['floodTimelines'];
    if (run === 'D') {
      const ids: string[] = [];
      for await (const wf of client.workflow.list({ query: `TaskQueue = '${queues.standard}'` }))
        if (wf.workflowId.startsWith('ltd-')) ids.push(wf.workflowId);
      const read = await readAuditLatencies(
        client,
        ids.map((workflowId) => ({ workflowId, arrivalMs: t0 })),
        8,
      );
      floodTimelines = read.map((l) => ({ workflowId: l.workflowId, events: l.events ?? [] }));
    }
    return {
      run,
      queues,
      arrivals: total,
      latencies,
      startRpcMs,
      priorityStarts,
      cpu: cpu.samples,
      ...(floodTimelines ? { floodTimelines } : {}),
      backlog: poller.samples,
      backlogPollErrors: poller.errors,
      flood: floodResult,
      loadAverage,
      wallSeconds: (Date.now() - runStarted) / 1000,
      startedAt: new Date(t0).toISOString(),
    };
  } finally {
    for (const child of children.reverse()) await child.stop();
    for (const cleanup of cleanups) await cleanup();
    await connection.close();
    await temporalServer.stop();
  }
}
