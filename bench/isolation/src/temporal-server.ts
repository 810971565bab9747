/**
 * A fresh Temporal dev server per benchmark run (SQLite file in a temp folder), so that one run's leftover
 * backlog can never leak into the next: the services harness's startTemporal(), or the bench's own start with the
 * same flags when SQLite pragmas are being tried.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import {
  startTemporal,
  temporalDynamicConfig,
  temporalSearchAttributes,
} from '../../../test/harness/index.js';

export interface BenchTemporal {
  readonly address: string;
  readonly source: 'harness' | 'bench';
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForFrontend(address: string, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  let lastError: unknown;
  while (Date.now() < until) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2000 });
      await connection.workflowService.describeNamespace({ namespace: 'default' });
      await connection.close();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(`Temporal dev server at ${address} not ready: ${String(lastError)}`);
}

async function startOwnDevServer(pragmas: readonly string[]): Promise<BenchTemporal> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-temporal-'));
  const port = await freePort();
  const httpPort = await freePort();
  const metricsPort = await freePort();
  const child = spawn(
    'temporal',
    [
      'server',
      'start-dev',
      '--headless',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--http-port',
      String(httpPort),
      '--metrics-port',
      String(metricsPort),
      '--db-filename',
      join(dir, 'temporal.db'),
      '--log-level',
      'error',
      // The same namespace set-up as the platform's harness: search attributes and dynamic config.
      ...Object.entries(temporalSearchAttributes).flatMap(([name, type]) => [
        '--search-attribute',
        `${name}=${type}`,
      ]),
      ...Object.entries(temporalDynamicConfig).flatMap(([key, value]) => [
        '--dynamic-config-value',
        `${key}=${value}`,
      ]),
      ...pragmas.flatMap((pragma) => ['--sqlite-pragma', pragma]),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const address = `127.0.0.1:${port}`;
  try {
    await waitForFrontend(address, 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${String(error)}\n${stderr}`);
  }
  return {
    address,
    source: 'bench',
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The harness's startTemporal() by default; the bench's own start (same flags) when SQLite pragmas are asked
 * for (BENCH_SQLITE_PRAGMAS), which the harness does not expose.
 */
export async function startBenchTemporal(pragmas: readonly string[] = []): Promise<BenchTemporal> {
  if (pragmas.length === 0 && process.env.BENCH_OWN_TEMPORAL !== '1') {
    const started = await startTemporal();
    return { address: started.settings.address, source: 'harness', stop: () => started.stop() };
  }
  return startOwnDevServer(pragmas);
}
