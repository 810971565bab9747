/**
 * End-to-end audit throughput in heuristic mode: pages audited per minute through the whole platform path
 * (start helper → Temporal → two worker processes → fetch, extract, rate → ClickHouse + Neo4j), next to a
 * baseline that runs the same analysis and the same store writes for the same pages in one process, one page
 * at a time, without Temporal. Both run in the same invocation on the same servers.
 *
 *   node --import tsx bench/e2e/run-e2e-bench.ts [--audits 6] [--pages 30]
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { startClickHouse, startNeo4j, startTemporal } from '../../test/harness/index.js';
import {
  createAnalysisEngine,
  PRIVATE_HOSTS_ENV,
  PrivateHostAllowance,
  type PageAuditResult,
  type PageFacts,
} from '@apexseo/eeat-worker/analysis';
import {
  startAudit,
  type AuditScope,
  pageGraphRow,
  openStoreClients,
  type StoreClients,
} from '@apexseo/eeat-worker/operations';
import { startSampleSite } from '../../packages/eeat-worker/test/local-stack/sample-site-server.js';
import { startWorkerProcess } from '../../packages/eeat-worker/test/local-stack/worker-process.js';
import { runHistories } from '../../packages/eeat-worker/test/support/audit-history.js';

const { values } = parseArgs({
  options: { audits: { type: 'string', default: '6' }, pages: { type: 'string', default: '30' } },
});
const audits = Number(values.audits);
const pageLimit = Number(values.pages);
const limits = { pages: pageLimit, depth: 3, concurrencyPerHost: 4 };

async function placeholderTokenFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-token-'));
  await writeFile(join(dir, 'token'), 'unused-by-heuristic-audits');
  return join(dir, 'token');
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The baseline: the activities' work (discover, collect + store facts, site context, rate + store) inline. */
async function baselineAudit(
  stores: StoreClients,
  siteUrl: string,
  allowHost: string,
  tenantId: string,
): Promise<number> {
  const engine = createAnalysisEngine({ privateHosts: PrivateHostAllowance.parse('127.0.0.1:*') });
  const scope: AuditScope = {
    tenantId,
    plan: 'mrr',
    auditId: randomUUID(),
    siteUrl,
    siteKey: new URL(siteUrl).host,
    startedAt: new Date().toISOString(),
  };
  const signal = new AbortController().signal;
  const found = await engine.discover(siteUrl, limits, {
    allowHosts: [allowHost],
    heartbeat: () => undefined,
    signal,
  });
  const now = new Date();
  await stores.results.recordPageResults(
    scope,
    found.skipped.map((outcome) => ({ result: { outcome, rating: null }, auditedAt: now })),
  );
  const collected: PageFacts[] = [];
  for (const url of found.urls) {
    const c = await engine.collect(url, { siteUrl, allowHosts: [allowHost], signal });
    if (c.ok) {
      await stores.results.recordPageFacts(scope, {
        facts: { ...c.facts, url },
        finalUrl: c.finalUrl,
        httpStatus: c.httpStatus,
      });
      collected.push({ ...c.facts, url });
    } else {
      await stores.results.recordPageResults(scope, [
        { result: { outcome: c.outcome, rating: null }, auditedAt: new Date() },
      ]);
    }
  }
  const site = engine.siteContext(siteUrl, collected);
  await stores.results.saveSiteContext(scope, site);
  const results: PageAuditResult[] = [];
  for (const facts of collected) {
    const rating = await engine.rateHeuristic(facts, site);
    const result: PageAuditResult = {
      outcome: {
        kind: 'audited',
        url: facts.url,
        finalUrl: facts.url,
        httpStatus: 200,
        contentHash: facts.contentHash,
      },
      rating,
    };
    await stores.results.recordPageResults(scope, [{ result, auditedAt: new Date() }]);
    await stores.graph.upsertPages(scope, [pageGraphRow(scope.siteKey, facts.url, 'audited', facts, rating)]);
    results.push(result);
  }
  const rating = engine.rateSite({ siteUrl, site, pages: results });
  await engine.close();
  await stores.results.recordSiteAudit(scope, {
    status: 'completed',
    finishedAt: new Date(),
    rating,
    counts: rating.counts,
  });
  return collected.length;
}

// The benchmark audits the sample site on loopback: this process (which starts the audits) and its workers run with
// the private-host allowance that production never has.
process.env[PRIVATE_HOSTS_ENV] = '127.0.0.1:*';
const [temporal, clickhouse, neo4j] = await Promise.all([startTemporal(), startClickHouse(), startNeo4j()]);
const site = await startSampleSite();
const stores = openStoreClients({
  clickhouse: { ...clickhouse.settings, database: 'apexseo_bench' },
  neo4j: neo4j.settings,
});
try {
  await stores.migrate();
  const siteUrl = `${site.origin}/`;

  // Warm-up (JIT, connections), not measured.
  await baselineAudit(stores, siteUrl, site.allowHost, 'bench-warmup');

  let t0 = performance.now();
  let baselinePages = 0;
  for (let i = 0; i < audits; i++)
    baselinePages += await baselineAudit(stores, siteUrl, site.allowHost, `bench-base-${i % 2}`);
  const baselineMs = performance.now() - t0;

  const env: Record<string, string> = {
    APEXSEO_TEMPORAL_ADDRESS: temporal.settings.address,
    APEXSEO_CLICKHOUSE_URL: clickhouse.settings.url,
    APEXSEO_CLICKHOUSE_USER: clickhouse.settings.username,
    APEXSEO_CLICKHOUSE_PASSWORD: clickhouse.settings.password,
    APEXSEO_CLICKHOUSE_DATABASE: 'apexseo_bench',
    APEXSEO_NEO4J_URL: neo4j.settings.boltUrl,
    APEXSEO_NEO4J_USER: neo4j.settings.username,
    APEXSEO_NEO4J_PASSWORD: neo4j.settings.password,
    // Heuristic audits never call the key service, but a worker refuses to start without a readable token file.
    APEXSEO_KEY_SERVICE_TOKEN_FILE: await placeholderTokenFile(),
  };
  const workers = await Promise.all(
    ['eeat-priority', 'eeat-standard'].map((q) => startWorkerProcess(q, env)),
  );
  const connection = await Connection.connect({ address: temporal.settings.address });
  const client = new Client({ connection, namespace: temporal.settings.namespace });
  try {
    // Warm-up audit through the workers (workflow bundle caches, first activity connections).
    const warm = await startAudit(client, {
      tenantId: 'bench-warmup',
      plan: 'mrr',
      siteUrl,
      limits,
      allowHosts: [site.allowHost],
    });
    await warm.handle.result();

    t0 = performance.now();
    const started = await Promise.all(
      Array.from({ length: audits }, (_, i) =>
        startAudit(client, {
          tenantId: `bench-e2e-${i % 2}`,
          plan: i % 2 === 0 ? 'mrr' : 'ltd',
          siteUrl,
          limits,
          allowHosts: [site.allowHost],
        }),
      ),
    );
    const results = await Promise.all(started.map((s) => s.handle.result()));
    const e2eMs = performance.now() - t0;
    const e2ePages = results.reduce((sum, r) => sum + r.counts.audited, 0);
    // Billable Temporal actions, counted from every run of every measured audit's history.
    const histories = await Promise.all(
      started.map((s) => runHistories(client, s.workflowId, s.handle.firstExecutionRunId)),
    );
    const actions = histories.flat().reduce((sum, run) => sum + run.actions, 0);
    const events = histories.flat().reduce((sum, run) => sum + run.events.length, 0);

    const perMinute = (pages: number, ms: number): number => Math.round((pages / ms) * 60_000);
    const summary = {
      machine: '2 cores shared, Debian bookworm, Node 24',
      audits,
      pagesPerAudit: limits.pages,
      baseline: {
        description: 'same work inline, one process, sequential, no Temporal',
        pages: baselinePages,
        seconds: +(baselineMs / 1000).toFixed(1),
        pagesPerMinute: perMinute(baselinePages, baselineMs),
      },
      endToEnd: {
        description: 'Temporal + 2 worker processes (priority, standard), audits concurrent',
        pages: e2ePages,
        seconds: +(e2eMs / 1000).toFixed(1),
        pagesPerMinute: perMinute(e2ePages, e2eMs),
        temporalActionsPerAuditedPage: +(actions / e2ePages).toFixed(3),
        historyEventsPerAuditedPage: +(events / e2ePages).toFixed(3),
      },
      loadAverageAfter: (await readFile('/proc/loadavg', 'utf8')).trim(),
      ratioEndToEndOverBaseline: +(perMinute(e2ePages, e2eMs) / perMinute(baselinePages, baselineMs)).toFixed(
        2,
      ),
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    await connection.close();
    await Promise.all(workers.map((w) => w.stop()));
  }
} finally {
  await stores.close();
  await site.close();
  await Promise.all([temporal.stop(), clickhouse.stop(), neo4j.stop()]);
  log('stopped');
}
