import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { processesMentioning } from '../harness/process/find-processes.js';
import { waitUntil } from '../harness/process/wait-until.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

interface Started {
  child: ChildProcess;
  tmp: string;
  output: () => string;
}

/** Runs a command with its own harness temp root, so its servers can be told apart from everyone else's. */
async function startWithOwnTmp(args: string[]): Promise<Started> {
  const tmp = await mkdtemp(join(tmpdir(), 'apexseo-strays-'));
  // PostgreSQL runs as the postgres user, which must be able to reach its data directory inside.
  await chmod(tmp, 0o755);
  let output = '';
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, APEXSEO_HARNESS_TMPDIR: tmp, CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, tmp, output: () => output };
}

async function waitForLine(started: Started, marker: string, timeoutMs: number): Promise<void> {
  await waitUntil(() => Promise.resolve(started.output().includes(marker) ? true : undefined), {
    timeoutMs,
    intervalMs: 500,
    abortReason: () =>
      started.child.exitCode === null
        ? undefined
        : `exited early (${started.child.exitCode}):\n${started.output()}`,
  });
}

describe('harness cleanup when the test run is killed', () => {
  const running: Started[] = [];

  afterEach(async () => {
    for (const { child, tmp } of running.splice(0)) {
      child.kill('SIGKILL');
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('should leave no server process or temporary directory behind when a script that started PostgreSQL gets SIGKILL', async () => {
    const started = await startWithOwnTmp([
      '--import',
      'tsx',
      'test/foundation/fixtures/start-service-and-wait.ts',
      'postgres',
    ]);
    running.push(started);
    await waitForLine(started, 'READY', 120_000);
    const before = await processesMentioning(started.tmp);
    expect(before.some((p) => /postgres/.test(p.commandLine))).toBe(true);

    started.child.kill('SIGKILL');
    const left = await waitUntil(
      async () => ((await processesMentioning(started.tmp)).length === 0 ? [] : undefined),
      { timeoutMs: 30_000, intervalMs: 250 },
    ).catch(async () => processesMentioning(started.tmp));
    expect(left).toEqual([]);
    // Each watchdog also deleted its server's temporary directory before exiting.
    expect(await readdir(started.tmp)).toEqual([]);
  }, 240_000);

  it('should leave no server process or temporary directory behind when a vitest run holding all four services gets SIGKILL', async () => {
    const vitest = join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs');
    const started = await startWithOwnTmp([
      vitest,
      'run',
      '--config',
      'test/foundation/fixtures/strays/vitest.config.ts',
    ]);
    running.push(started);
    await waitForLine(started, 'HOLDING', 420_000);
    const before = (await processesMentioning(started.tmp)).map((p) => p.commandLine).join('\n');
    for (const server of [
      /postgres -D/,
      /temporal server start-dev/,
      /clickhouse-server/,
      /neo4j\.Launcher/,
    ]) {
      expect(before).toMatch(server);
    }

    started.child.kill('SIGKILL');
    const left = await waitUntil(
      async () => ((await processesMentioning(started.tmp)).length === 0 ? [] : undefined),
      { timeoutMs: 60_000, intervalMs: 500 },
    ).catch(async () => processesMentioning(started.tmp));
    expect(left).toEqual([]);
    // Each watchdog also deleted its server's temporary directory before exiting.
    expect(await readdir(started.tmp)).toEqual([]);
  }, 600_000);
});
