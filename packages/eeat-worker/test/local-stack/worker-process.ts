/**
 * Runs the worker binary (`src/main.ts`) as its own process, one per pool, the way a pod runs it, and waits for
 * its `/readyz`. Stops it with SIGTERM (graceful shutdown) and kills it if it lingers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface WorkerProcess {
  readonly taskQueue: string;
  readonly metricsPort: number;
  logs(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startWorkerProcess(
  taskQueue: string,
  env: Record<string, string>,
  readyTimeoutMs = 180_000,
): Promise<WorkerProcess> {
  const metricsPort = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ...env,
      APEXSEO_TASK_QUEUE: taskQueue,
      APEXSEO_METRICS_PORT: String(metricsPort),
      APEXSEO_TEMPORAL_METRICS_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) throw new Error(`worker ${taskQueue} exited before it was ready:\n${output.slice(-4000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `worker ${taskQueue} not ready within ${readyTimeoutMs / 1000} s:\n${output.slice(-4000)}`,
      );
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
    taskQueue,
    metricsPort,
    logs: () => output,
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
