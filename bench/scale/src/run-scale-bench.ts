/**
 * One audit of a generated site of `--pages` pages (default 50,000) end to end in heuristic mode, on the harness's
 * real servers (Temporal dev server, ClickHouse 18.16, Neo4j) and `--workers` worker processes (src/main.ts) on the
 * priority pool. Reports wall time, pages per minute, the peak resident memory of each worker, history events and
 * billable actions per audited page (counted from every run's history), and the rows stored in ClickHouse.
 *
 *   node --import tsx bench/scale/src/run-scale-bench.ts [--pages 50000] [--workers 2] [--concurrency 8]
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { startClickHouse, startNeo4j, startTemporal } from '../../../test/harness/index.js';
import { startAudit, progressQuery, openStoreClients } from '@apexseo/eeat-worker/operations';
import { PRIVATE_HOSTS_ENV } from '@apexseo/eeat-worker/analysis';
import {
  startWorkerProcess,
  type WorkerProcess,
} from '../../../packages/eeat-worker/test/local-stack/worker-process.js';
import { runHistories } from '../../../packages/eeat-worker/test/support/audit-history.js';
import { startGeneratedSite } from './generated-site.js';

const { values } = parseArgs({
  options: {
    pages: { type: 'string', default: '50000' },
    workers: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '8' },
    out: { type: 'string' },
  },
});
const pages = Number(values.pages);
const workerCount = Number(values.workers);
const concurrencyPerHost = Number(values.concurrency);
const database = 'apexseo_scale';

async function placeholderTokenFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-token-'));
  await writeFile(join(dir, 'token'), 'unused-by-heuristic-audits');
  return join(dir, 'token');
}

function log(line: string): void {
  process.stderr.write(`[scale ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** Resident memory of a process in MiB: now (VmRSS) and its peak (VmHWM), from /proc. */
async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: Math.round(kib('VmRSS') / 1024), peak: Math.round(kib('VmHWM') / 1024) };
}

// The generated site is served on loopback: this process (which starts the audit) and its workers run with the
// private-host allowance that production never has.
process.env[PRIVATE_HOSTS_ENV] = '127.0.0.1:*';
const [temporal, clickhouse, neo4j] = await Promise.all([startTemporal(), startClickHouse(), startNeo4j()]);
const site = await startGeneratedSite(pages);
const stores = openStoreClients({ clickhouse: { ...clickhouse.settings, database }, neo4j: neo4j.settings });
const workers: WorkerProcess[] = [];
try {
  await stores.migrate();
  const env: Record<string, string> = {
    APEXSEO_TEMPORAL_ADDRESS: temporal.settings.address,
    APEXSEO_CLICKHOUSE_URL: clickhouse.settings.url,
    APEXSEO_CLICKHOUSE_USER: clickhouse.settings.username,
    APEXSEO_CLICKHOUSE_PASSWORD: clickhouse.settings.password,
    APEXSEO_CLICKHOUSE_DATABASE: database,
    APEXSEO_NEO4J_URL: neo4j.settings.boltUrl,
    APEXSEO_NEO4J_USER: neo4j.settings.username,
    APEXSEO_NEO4J_PASSWORD: neo4j.settings.password,
    // Heuristic audits never call the key service, but a worker refuses to start without a readable token file.
    APEXSEO_KEY_SERVICE_TOKEN_FILE: await placeholderTokenFile(),
  };
  for (let i = 0; i < workerCount; i++)
    workers.push(await startWorkerProcess('eeat-priority', env, { name: `priority-${i}` }));
  const connection = await Connection.connect({ address: temporal.settings.address });
  const client = new Client({ connection, namespace: temporal.settings.namespace });
  const peakRss = new Map<string, number>();
  const sample = setInterval(() => {
    for (const w of workers)
      memoryOf(w.pid).then(
        (m) => peakRss.set(w.name, Math.max(peakRss.get(w.name) ?? 0, m.rss)),
        () => undefined,
      );
  }, 2_000);
  try {
    const t0 = performance.now();
    const started = await startAudit(client, {
      tenantId: 'scale-bench',
      plan: 'mrr',
      siteUrl: `${site.origin}/`,
      limits: { pages, depth: 3, concurrencyPerHost },
      allowHosts: [site.allowHost],
    });
    log(
      `started ${started.workflowId}: ${pages} pages, ${workerCount} workers, ${concurrencyPerHost} per host`,
    );
    const progress = setInterval(() => {
      started.handle.query(progressQuery).then(
        (p) =>
          log(
            `${p.phase}: done ${p.done}, failed ${p.failed}, skipped ${p.skipped} of ${p.total} (run ${p.runs})`,
          ),
        () => undefined,
      );
    }, 30_000);
    const result = await started.handle.result().finally(() => clearInterval(progress));
    const wallMs = performance.now() - t0;
    log(`completed in ${(wallMs / 1000).toFixed(0)} s: ${JSON.stringify(result.counts)}`);

    const memory = await Promise.all(
      workers.map(async (w) => ({ name: w.name, ...(await memoryOf(w.pid)) })),
    );
    const runs = await runHistories(client, started.workflowId, started.handle.firstExecutionRunId);
    const events = runs.reduce((n, r) => n + r.events.length, 0);
    const actions = runs.reduce((n, r) => n + r.actions, 0);
    const count = async (table: string): Promise<number> => {
      const rows = await (
        await stores.clickhouse.query({
          query: `SELECT count() AS n FROM ${database}.${table} WHERE tenant_id = 'scale-bench' AND audit_id = '${started.auditId}'`,
          format: 'JSONEachRow',
        })
      ).json<{ n: string }>();
      return Number(rows[0]?.n ?? 0);
    };
    const audited = result.counts.audited;
    const summary = {
      measuredAt: new Date().toISOString(),
      machine: '2 cores shared with other engineers, Debian bookworm, Node 24',
      loadAverageAfter: (await readFile('/proc/loadavg', 'utf8')).trim(),
      site: { pages, requests: site.requests() },
      workers: workerCount,
      concurrencyPerHost,
      counts: result.counts,
      wallSeconds: Math.round(wallMs / 1000),
      pagesPerMinute: Math.round((audited / wallMs) * 60_000),
      workerMemoryMiB: memory.map((m) => ({
        name: m.name,
        peakRss: m.peak,
        sampledPeakRss: peakRss.get(m.name) ?? 0,
      })),
      history: {
        runs: runs.length,
        events,
        largestRunEvents: Math.max(...runs.map((r) => r.events.length)),
        largestRunBytes: Math.max(...runs.map((r) => r.bytes)),
        largestEventBytes: Math.max(...runs.map((r) => r.largestEventBytes)),
        eventsPerAuditedPage: +(events / audited).toFixed(4),
        actions,
        actionsPerAuditedPage: +(actions / audited).toFixed(4),
      },
      clickhouseRows: {
        audit_pages: await count('audit_pages'),
        page_facts: await count('page_facts'),
        page_results: await count('page_results'),
      },
    };
    const text = `${JSON.stringify(summary, null, 2)}\n`;
    process.stdout.write(text);
    if (values.out) await writeFile(values.out, text);
  } finally {
    clearInterval(sample);
    await connection.close();
  }
} finally {
  await Promise.all(workers.map((w) => w.stop()));
  await stores.close();
  await site.close();
  await Promise.all([temporal.stop(), clickhouse.stop(), neo4j.stop()]);
  log('stopped');
}
