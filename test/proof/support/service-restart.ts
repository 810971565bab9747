/**
 * Stops a server that the services harness started, and later starts it again in place: same command line,
 * same ports, same data folder, same log file. The harness runs each server behind a watchdog whose command
 * line carries the server's spec; stopping the watchdog stops the server in order (its stop signal, then
 * SIGKILL after the grace time), and a new watchdog with the same spec brings it back. The harness's own handle
 * then sees a server that already ended and only removes the folder at the end, after `stopAll()` here.
 * Works for every server whose command line fixes its port and data folder: PostgreSQL, ClickHouse and Neo4j
 * (its launcher reopens the same database folder on the same Bolt port, with the password already set).
 */
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { SupervisedProcess } from '../../harness/process/supervised-process.js';
import type { WatchdogSpec } from '../../harness/process/watchdog.js';

interface FoundWatchdog {
  readonly pid: number;
  readonly spec: WatchdogSpec;
}

async function findWatchdog(harnessRoot: string, service: string): Promise<FoundWatchdog> {
  const found: FoundWatchdog[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
      if (!argv[1]?.endsWith('watchdog.ts') || !argv[2]) continue;
      const spec = JSON.parse(argv[2]) as WatchdogSpec;
      if (spec.logFile.startsWith(`${harnessRoot}/apexseo-${service}-`)) found.push({ pid, spec });
    } catch {
      // ended while we looked, or not ours
    }
  }
  if (found.length !== 1)
    throw new Error(`expected one ${service} watchdog under ${harnessRoot}, found ${found.length}`);
  return found[0] as FoundWatchdog;
}

async function waitGone(pid: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(100);
  }
  throw new Error(`process ${pid} still alive after ${timeoutMs} ms`);
}

export type RestartableService = 'postgres' | 'clickhouse' | 'neo4j';

export interface ServiceRestarter {
  /** Stops the service (orderly, with its own stop signal) and resolves once it is gone. */
  stop(service: RestartableService): Promise<void>;
  /** Starts it again with the same spec and resolves once `ready` answers. */
  start(service: RestartableService, ready: () => Promise<boolean>, timeoutMs?: number): Promise<void>;
  /** Stops every server this restarter started (before the harness removes their folders). */
  stopAll(): Promise<void>;
}

export function serviceRestarter(harnessRoot: string): ServiceRestarter {
  const stoppedSpecs = new Map<string, WatchdogSpec>();
  const restarted = new Map<string, SupervisedProcess>();
  return {
    async stop(service) {
      const mine = restarted.get(service);
      if (mine) {
        await mine.stop();
        restarted.delete(service);
        return;
      }
      const { pid, spec } = await findWatchdog(harnessRoot, service);
      stoppedSpecs.set(service, spec);
      process.kill(pid, 'SIGTERM');
      await waitGone(pid, spec.graceMs + 30_000);
    },
    async start(service, ready, timeoutMs = 180_000) {
      const spec = stoppedSpecs.get(service);
      if (!spec) throw new Error(`${service} was not stopped by this restarter`);
      const server = SupervisedProcess.start(spec);
      restarted.set(service, server);
      const until = Date.now() + timeoutMs;
      for (;;) {
        if (server.exitReason !== undefined)
          throw new Error(`${service} ${server.exitReason}:\n${await server.logTail()}`);
        if (await ready().catch(() => false)) return;
        if (Date.now() > until)
          throw new Error(`${service} not ready within ${timeoutMs} ms:\n${await server.logTail()}`);
        await sleep(500);
      }
    },
    async stopAll() {
      await Promise.all([...restarted.values()].map((s) => s.stop()));
      restarted.clear();
    },
  };
}
