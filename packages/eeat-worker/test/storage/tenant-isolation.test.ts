import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Level } from '../../src/audit-model.js';
import type { AuditScope } from '../../src/storage/audit-scope.js';
import { pageGraphRow } from '../../src/storage/neo4j/graph-rows.js';
import { InvalidKeyError } from '../../src/storage/storage-errors.js';
import { auditedResult, factsFor, scopeFor } from '../support/rating-fixtures.js';
import { openStores, uniqueSuffix, type TestStores } from '../support/stores.js';

/**
 * Two tenants audit the same site under the same audit id: every query function must answer each tenant with
 * its own results only.
 */
describe('tenant isolation of the query functions', () => {
  let stores: TestStores;
  const suffix = uniqueSuffix();
  const alice = `alice-${suffix}`;
  const bob = `bob-${suffix}`;
  const auditId = `shared-audit-${suffix}`;
  const page = 'https://shop.example/guide';
  const bobOnly = 'https://shop.example/bob-only';

  /** One tenant's audit in both stores: its audited pages, the audit summary and the page graph. */
  async function recordAudit(
    scope: AuditScope,
    audit: { status: 'completed' | 'running'; medianLevel: Level; author: string; cites: string[] },
    pages: [url: string, level: Level][],
  ): Promise<void> {
    const counts = { total: pages.length, audited: pages.length, skipped: 0, failed: 0 };
    await stores.results.recordPageResults(
      scope,
      pages.map(([url, level]) => ({ result: auditedResult(url, level), auditedAt: new Date() })),
    );
    await stores.results.recordSiteAudit(scope, {
      status: audit.status,
      finishedAt: audit.status === 'completed' ? new Date() : null,
      rating: null,
      counts,
    });
    await stores.graph.upsertAudit(scope, { status: audit.status, counts, medianLevel: audit.medianLevel });
    await stores.graph.upsertPages(
      scope,
      pages.map(([url, level]) =>
        pageGraphRow(
          scope.siteKey,
          url,
          'audited',
          factsFor(url, audit.author, audit.cites),
          auditedResult(url, level).rating,
        ),
      ),
    );
  }

  beforeAll(async () => {
    stores = await openStores();
    await recordAudit(
      scopeFor(alice, auditId),
      { status: 'completed', medianLevel: 'high', author: 'Ada Alice', cites: ['nih.gov'] },
      [[page, 'high']],
    );
    await recordAudit(
      scopeFor(bob, auditId),
      { status: 'running', medianLevel: 'low', author: 'Bob Builder', cites: ['spam.example'] },
      [
        [page, 'lowest'],
        [bobOnly, 'low'],
      ],
    );
  });
  afterAll(async () => {
    await stores.close();
  });

  it("should return only the tenant's own pages for an audit id both tenants use", async () => {
    const pages = await stores.results.auditPages(alice, auditId);
    expect(pages.map((p) => [p.pageUrl, p.level])).toEqual([[page, 'high']]);
  });

  it("should return only the tenant's own audit summary", async () => {
    expect((await stores.results.siteAudit(alice, auditId))?.status).toBe('completed');
    expect((await stores.results.siteAudit(bob, auditId))?.status).toBe('running');
  });

  it("should return only the tenant's own latest page scores and daily trend", async () => {
    const latest = await stores.results.latestPageScores(alice, 'shop.example');
    expect(latest.map((l) => l.pageUrl)).toEqual([page]);
    const trend = await stores.results.siteDailyTrend(alice, 'shop.example', 3650);
    expect(trend.reduce((sum, point) => sum + point.pages, 0)).toBe(1);
  });

  it("should return only the tenant's own authors, cited sources and graph nodes", async () => {
    const authors = await stores.graph.siteAuthors(alice, 'shop.example');
    expect(authors.map((a) => a.name)).toEqual(['Ada Alice']);
    expect((await stores.graph.citedSources(alice, 'shop.example')).map((s) => s.domain)).toEqual([
      'nih.gov',
    ]);
    expect((await stores.graph.auditSummary(alice, auditId))?.pagesEvaluated).toBe(1);
    expect((await stores.graph.countTenantGraph(alice)).nodes.Page).toBe(1);
  });

  it('should reject a tenant id shaped like an injection before it reaches a store', async () => {
    await expect(stores.results.auditPages(`${alice}' OR 1=1 --`, auditId)).rejects.toBeInstanceOf(
      InvalidKeyError,
    );
    await expect(stores.graph.auditSummary(`${alice}' OR 1=1 --`, auditId)).rejects.toBeInstanceOf(
      InvalidKeyError,
    );
  });
});
