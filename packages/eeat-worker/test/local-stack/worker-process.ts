/**
 * Runs the worker binary (`src/main.ts`) as its own process, the way a pod runs it: its own metrics ports, its
 * output kept in memory (and appended to a log file when asked, e.g. for a leak scan), ready once `/readyz`
 * answers. It can be stopped gracefully (SIGTERM, as Kubernetes does) or killed outright (SIGKILL, a node loss).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../../test/harness/index.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** Starts the worker binary with the given environment and returns its process; output on stdout/stderr. */
export type WorkerLauncher = (env: NodeJS.ProcessEnv) => ChildProcess;

/** The default: `src/main.ts` of this checkout, run by Node with tsx. */
export const launchWorkerFromSource: WorkerLauncher = (env) =>
  spawn(process.execPath, ['--import', 'tsx', MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });

export interface WorkerProcessOptions {
  /** Names the process in errors. @default the task queue */
  readonly name?: string;
  /** Also append everything the process prints to this file. */
  readonly logFile?: string;
  /** @default 180 s */
  readonly readyTimeoutMs?: number;
  /** Runs the binary some other way, e.g. from the eeat-worker image. @default launchWorkerFromSource */
  readonly launch?: WorkerLauncher;
}

export interface WorkerProcess {
  readonly name: string;
  readonly taskQueue: string;
  readonly pid: number;
  readonly metricsUrl: string;
  readonly temporalMetricsUrl: string;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  exited(): boolean;
  /** SIGTERM and wait for the exit (SIGKILL after 60 s); resolves with how long the exit took, in ms. */
  stop(): Promise<number>;
  /** SIGKILL: no grace, no cleanup. */
  kill(): Promise<void>;
}

export async function startWorkerProcess(
  taskQueue: string,
  env: Readonly<Record<string, string>>,
  options: WorkerProcessOptions = {},
): Promise<WorkerProcess> {
  const name = options.name ?? taskQueue;
  const readyTimeoutMs = options.readyTimeoutMs ?? 180_000;
  const [metricsPort, temporalMetricsPort] = await Promise.all([freePort(), freePort()]);
  const child: ChildProcess = (options.launch ?? launchWorkerFromSource)({
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    // The local stack audits sites served on loopback; production workers never get this allowance.
    APEXSEO_FETCH_PRIVATE_HOSTS: '127.0.0.1:*',
    ...env,
    APEXSEO_TASK_QUEUE: taskQueue,
    APEXSEO_METRICS_PORT: String(metricsPort),
    APEXSEO_TEMPORAL_METRICS_PORT: String(temporalMetricsPort),
  });
  const logFile = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
  let output = '';
  const capture = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    logFile?.write(chunk);
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      logFile?.end();
      resolve();
    }),
  );

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) throw new Error(`worker ${name} exited before it was ready:\n${output.slice(-4000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker ${name} not ready within ${readyTimeoutMs / 1000} s:\n${output.slice(-4000)}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${metricsPort}/readyz`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }

  return {
    name,
    taskQueue,
    pid: child.pid ?? -1,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    temporalMetricsUrl: `http://127.0.0.1:${temporalMetricsPort}/metrics`,
    output: () => output,
    exited: () => exited,
    async stop() {
      if (exited) return 0;
      const started = Date.now();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exit;
      clearTimeout(timer);
      return Date.now() - started;
    },
    async kill() {
      if (exited) return;
      child.kill('SIGKILL');
      await exit;
    },
  };
}
