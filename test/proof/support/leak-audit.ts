/**
 * The secret-leak scan of a whole proof run: every place a tenant key could end up, each read through its real
 * interface (see leak-sources.ts), and the planting of a canary key in each of those places, which proves that
 * each scanner really reads what it claims to (a scanner that reads nothing would also report zero hits).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import {
  scanClickHouse,
  scanFiles,
  scanMetricsPages,
  scanNeo4j,
  scanPostgres,
  scanProcessEnvironments,
  scanRenderedChart,
  scanTexts,
  scanWorkflowHistories,
  type ScanReport,
} from './leak-sources.js';
import type { ProofStack } from './proof-stack.js';
import { secretWindows } from './secret-windows.js';

export interface LeakScanExtras {
  readonly processOutputs?: ReadonlyArray<{ name: string; text: string }>;
  readonly metricsUrls?: readonly string[];
  readonly pids?: readonly number[];
  readonly chartSet?: readonly string[];
}

export async function scanStack(
  stack: ProofStack,
  secrets: readonly string[],
  extras: LeakScanExtras = {},
): Promise<ScanReport[]> {
  const windows = secretWindows(secrets);
  const live = stack.workers.filter((w) => !w.exited());
  const keyService = stack.workerKeyService();
  const metricsUrls = [
    ...live.flatMap((w) => [w.metricsUrl, w.temporalMetricsUrl]),
    `${stack.keys.metricsUrl}`,
    ...(keyService ? [keyService.metricsUrl] : []),
    ...(extras.metricsUrls ?? []),
  ].map((u) => (u.endsWith('/metrics') ? u : `${u.replace(/\/$/, '')}/metrics`));
  const keyServicePids = await keyServiceProcessIds(stack);
  return [
    await scanWorkflowHistories(stack.client, windows),
    // Worker logs (stdout and stderr of every worker process) and every server log under the harness folder.
    await scanFiles([stack.root], windows, (p) => p.endsWith('.log')),
    scanTexts('process-output', [...stack.inMemoryLogs(), ...(extras.processOutputs ?? [])], windows),
    await scanMetricsPages(metricsUrls, windows),
    await scanClickHouse(stack.stores.clickhouse, windows),
    await scanNeo4j(stack.stores.neo4j, windows),
    await scanPostgres(stack.keysDatabase.url, windows),
    await scanProcessEnvironments(
      [...live.map((w) => w.pid), ...keyServicePids, ...(extras.pids ?? [])],
      windows,
    ),
    await scanRenderedChart(windows, extras.chartSet ?? []),
  ];
}

/** The key-service processes of this stack (found by the KEK file path in their environment). */
async function keyServiceProcessIds(stack: ProofStack): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const env = await readFile(`/proc/${pid}/environ`, 'latin1');
      if (env.includes(`KEY_SERVICE_KEK_FILE=${stack.keys.kekFile}`)) pids.push(pid);
    } catch {
      // not ours, or gone
    }
  }
  return pids;
}

export interface PlantedCanary {
  readonly extras: LeakScanExtras;
  remove(): Promise<void>;
}

/** Puts the canary (or an 8-character piece of it) into every scanned place. */
export async function plantCanary(stack: ProofStack, canary: string): Promise<PlantedCanary> {
  const piece = canary.slice(11, 19);
  // Temporal history: a workflow whose argument carries the key (nothing polls its queue).
  await stack.client.workflow.start('leakCanary', {
    taskQueue: 'leak-canary',
    workflowId: 'leak-canary',
    args: [{ note: canary }],
  });
  // A log file and a key-service-style log line.
  await writeFile(join(stack.logDir, 'planted.log'), `{"level":"info","msg":"request","auth":"${piece}"}\n`);
  // The captured output of a process that printed the piece (the key service logs routes, never raw URLs,
  // so it cannot be made to print one).
  const printed = await new Promise<string>((resolve, reject) => {
    const echo = spawn('echo', [`{"level":"warn","msg":"provider said","detail":"${piece}"}`], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    echo.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
    echo.once('error', reject);
    echo.once('close', () => resolve(out));
  });
  // A /metrics page with the piece in a label value.
  const server: Server = createServer((_req, res) =>
    res.end(`llm_api_requests_total{tenant="${piece}"} 1\n`),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const metricsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  // ClickHouse, Neo4j and PostgreSQL rows.
  const db = stack.clickhouseSettings.database;
  await stack.stores.clickhouse.command({
    query: `CREATE TABLE IF NOT EXISTS ${db}.leak_canary (note String) ENGINE = Memory`,
  });
  await stack.stores.clickhouse.insert({
    table: `${db}.leak_canary`,
    values: [{ note: `prefix ${piece} suffix` }],
    format: 'JSONEachRow',
  });
  const session = stack.stores.neo4j.session();
  await session.run('CREATE (:LeakCanary {note: $note})', { note: canary });
  await session.close();
  const pgClient = new pg.Client({ connectionString: stack.keysDatabase.url });
  await pgClient.connect();
  await pgClient.query('CREATE TABLE IF NOT EXISTS leak_canary (note text)');
  await pgClient.query('INSERT INTO leak_canary (note) VALUES ($1)', [piece]);
  await pgClient.end();
  // A process with the key in its environment.
  const child: ChildProcess = spawn('sleep', ['120'], {
    env: { PATH: process.env.PATH ?? '', LEAKED: piece },
    stdio: 'ignore',
  });
  return {
    extras: {
      processOutputs: [{ name: 'planted process', text: printed }],
      metricsUrls: [metricsUrl],
      pids: child.pid ? [child.pid] : [],
      chartSet: [`workers.podAnnotations.leak-canary=${piece}`],
    },
    async remove() {
      child.kill('SIGKILL');
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
