/**
 * One poison page in an audit, on real servers (Temporal dev server, ClickHouse, Neo4j, the worker as `main.ts`
 * builds it): a page whose analysis outgrows any sane budget (40 KB of gzip on the wire, ten megabytes and a million
 * elements once inflated). The page must end as `error: too complex` on its first attempt, its siblings must be
 * audited, and the same worker must keep serving another audit meanwhile, all within a minute.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Client, Connection } from '@temporalio/client';
import type { ApexWorker } from '@apexseo/worker-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServices } from '../../../../test/harness/index.js';
import { startAudit } from '../../src/routing/start-audit.js';
import { loadEeatWorkerConfig } from '../../src/config/eeat-config.js';
import { createEeatWorker } from '../../src/worker/eeat-worker.js';
import type { AuditSiteResult } from '../../src/workflows/audit-workflow-types.js';
import { storeClientsOf } from '../support/audit-workers.js';
import { openStores, uniqueSuffix, type TestStores } from '../support/stores.js';

const ARTICLE = (n: number) =>
  `<!doctype html><html><head><title>Article ${n}</title></head><body><main><h1>Article ${n}</h1>` +
  `<p>By Jo Writer</p>${'<p>Plain, careful text about houseplants and how to water them well.</p>'.repeat(30)}` +
  '<a href="/about.html">About us</a></main></body></html>';
const POISON = gzipSync(`<html><body><main>${'<b>x</b>'.repeat(1_200_000)}</main></body></html>`);

/** A small site: a home page linking three articles and the poison page. */
async function startPoisonSite(): Promise<{ origin: string; allowHost: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/robots.txt') return void res.writeHead(404).end();
    if (path === '/poison.html')
      return void res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(POISON);
    const article = /^\/article-(\d)\.html$/.exec(path);
    if (article)
      return void res.writeHead(200, { 'content-type': 'text/html' }).end(ARTICLE(Number(article[1])));
    if (path === '/' || path === '/about.html')
      return void res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          `<html><head><title>Plants</title></head><body><main><h1>Plants</h1><p>About the site.</p>` +
            '<a href="/article-1.html">One</a><a href="/poison.html">Poison</a>' +
            '<a href="/article-2.html">Two</a><a href="/article-3.html">Three</a></main></body></html>',
        );
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { origin: `http://127.0.0.1:${port}`, allowHost: `127.0.0.1:${port}`, server };
}

describe('an audit with a poison page', () => {
  let stores: TestStores;
  let worker: ApexWorker;
  let running: Promise<void>;
  let client: Client;
  let connection: Connection;
  let site: Awaited<ReturnType<typeof startPoisonSite>>;
  let tokenDir: string;
  const tenant = `poison-${uniqueSuffix()}`;

  beforeAll(async () => {
    stores = await openStores();
    site = await startPoisonSite();
    const { temporal } = await useServices('temporal');
    // Heuristic audits never call the key service, but a worker refuses to start without a readable token file.
    tokenDir = await mkdtemp(join(tmpdir(), 'eeat-poison-token-'));
    const tokenFile = join(tokenDir, 'token');
    await writeFile(tokenFile, 'unused-by-heuristic-audits');
    // One worker for the pool, with the production per-page time budget and a 64 MB heap per analysis thread
    // (ordinary pages need a few MB; the poison page's DOM needs hundreds).
    worker = await createEeatWorker({
      stores: storeClientsOf(stores),
      config: {
        ...loadEeatWorkerConfig({
          sdk: {
            temporal: { address: temporal.address, namespace: temporal.namespace },
            taskQueue: 'eeat-priority',
            keyService: { tokenFile },
            metrics: { port: 0, temporalPort: 0 },
            shutdownGraceSeconds: 1,
          },
        }),
        analysis: { threads: 2, budget: { heapMb: 64 } },
      },
      identity: 'test-poison-page',
    });
    running = worker.run();
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection, namespace: temporal.namespace });
  }, 600_000);

  afterAll(async () => {
    await worker?.shutdown();
    await running;
    await connection?.close();
    await new Promise<void>((resolve) => site?.server.close(() => resolve()));
    await stores?.close();
    if (tokenDir) await rm(tokenDir, { recursive: true, force: true });
  });

  const start = (auditId: string) =>
    startAudit(client, {
      tenantId: tenant,
      plan: 'mrr',
      siteUrl: `${site.origin}/`,
      auditId,
      limits: { pages: 10, depth: 2, concurrencyPerHost: 4 },
      allowHosts: [site.allowHost],
    });

  it('should record the poison page as too complex on its first attempt, audit its siblings and serve another audit, within a minute', async () => {
    const poisoned = `audit-${randomUUID()}`;
    const other = `audit-${randomUUID()}`;
    const started = Date.now();
    const first = await start(poisoned);
    const second = await start(other);
    const [result, otherResult]: [AuditSiteResult, AuditSiteResult] = await Promise.all([
      first.handle.result(),
      second.handle.result(),
    ]);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(60_000);

    for (const [id, counts] of [
      [poisoned, result.counts],
      [other, otherResult.counts],
    ] as const) {
      const pages = await stores.results.auditPages(tenant, id);
      const poison = pages.find((p) => p.pageUrl.endsWith('/poison.html'));
      expect([poison?.outcome, poison?.outcomeReason]).toEqual(['error', 'too_complex']);
      expect(poison?.outcomeDetail).toMatch(/^extraction exceeded its (64 MB memory|\d+ ms time) budget$/);
      const audited = pages.filter((p) => p.outcome === 'audited').map((p) => new URL(p.pageUrl).pathname);
      expect(audited.sort()).toEqual([
        '/',
        '/about.html',
        '/article-1.html',
        '/article-2.html',
        '/article-3.html',
      ]);
      expect(counts).toEqual({ total: 6, audited: 5, skipped: 0, failed: 1 });
    }

    // First attempt: the one collection step (a range of up to 100 pages) ran once, and no activity was retried.
    const history = await first.handle.fetchHistory();
    const collections = (history.events ?? []).filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'collectPageRange',
    ).length;
    const starts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes).length;
    const attempts = (history.events ?? [])
      .map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 1)
      .filter((attempt) => attempt > 1);
    expect(collections).toBe(1);
    expect(starts).toBeGreaterThan(0);
    expect(attempts).toEqual([]);
  }, 120_000);
});
