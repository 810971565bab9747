import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  beforeAll(async () => {
    stores = await openStores();
    const a = scopeFor(alice, auditId);
    const b = scopeFor(bob, auditId);
    await stores.results.recordPageResults(a, [
      { result: auditedResult(page, 'high'), auditedAt: new Date() },
    ]);
    await stores.results.recordPageResults(b, [
      { result: auditedResult(page, 'lowest'), auditedAt: new Date() },
      { result: auditedResult(bobOnly, 'low'), auditedAt: new Date() },
    ]);
    await stores.results.recordSiteAudit(a, {
      status: 'completed',
      finishedAt: new Date(),
      rating: null,
      counts: { total: 1, audited: 1, skipped: 0, failed: 0 },
    });
    await stores.results.recordSiteAudit(b, {
      status: 'running',
      finishedAt: null,
      rating: null,
      counts: { total: 2, audited: 2, skipped: 0, failed: 0 },
    });
    await stores.graph.upsertAudit(a, {
      status: 'completed',
      counts: { total: 1, audited: 1, skipped: 0, failed: 0 },
      medianLevel: 'high',
    });
    await stores.graph.upsertAudit(b, {
      status: 'running',
      counts: { total: 2, audited: 2, skipped: 0, failed: 0 },
      medianLevel: 'low',
    });
    await stores.graph.upsertPages(a, [
      pageGraphRow(
        a.siteKey,
        page,
        'audited',
        factsFor(page, 'Ada Alice', ['nih.gov']),
        auditedResult(page, 'high').rating,
      ),
    ]);
    await stores.graph.upsertPages(b, [
      pageGraphRow(
        b.siteKey,
        page,
        'audited',
        factsFor(page, 'Bob Builder', ['spam.example']),
        auditedResult(page, 'lowest').rating,
      ),
      pageGraphRow(
        b.siteKey,
        bobOnly,
        'audited',
        factsFor(bobOnly, 'Bob Builder', ['spam.example']),
        auditedResult(bobOnly, 'low').rating,
      ),
    ]);
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
