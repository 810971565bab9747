/**
 * The real eeat-worker binary (packages/eeat-worker/src/main.ts) as separate OS processes, the way pods run it:
 * each with its own identity, metrics port and log file (kept for the leak scan). Processes can be stopped
 * gracefully (SIGTERM, as Kubernetes does) or killed outright (SIGKILL, a node loss).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

const MAIN = fileURLToPath(new URL('../../../packages/eeat-worker/src/main.ts', import.meta.url));

export interface FleetWorker {
  readonly name: string;
  readonly taskQueue: string;
  readonly pid: number;
  readonly metricsUrl: string;
  readonly temporalMetricsUrl: string;
  readonly logFile: string;
  output(): string;
  exited(): boolean;
  /** SIGTERM and wait for the exit; resolves with how long the process took to exit, in ms. */
  stop(): Promise<number>;
  /** SIGKILL: no grace, no cleanup. */
  kill(): Promise<void>;
}

export async function startFleetWorker(
  name: string,
  taskQueue: string,
  env: Readonly<Record<string, string>>,
  logDir: string,
  readyTimeoutMs = 240_000,
): Promise<FleetWorker> {
  const metricsPort = await freePort();
  const temporalMetricsPort = await freePort();
  const logFile = join(logDir, `${name}.log`);
  const log: WriteStream = createWriteStream(logFile, { flags: 'a' });
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ...env,
      APEXSEO_TASK_QUEUE: taskQueue,
      APEXSEO_METRICS_PORT: String(metricsPort),
      APEXSEO_TEMPORAL_METRICS_PORT: String(temporalMetricsPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const capture = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    log.write(chunk);
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      log.end();
      resolve();
    }),
  );
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
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
    metricsUrl,
    temporalMetricsUrl: `http://127.0.0.1:${temporalMetricsPort}/metrics`,
    logFile,
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
