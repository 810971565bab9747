import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageGraphRow } from '../../src/storage/neo4j/graph-rows.js';
import { auditedResult, factsFor, scopeFor } from '../support/rating-fixtures.js';
import { openStores, uniqueSuffix, type TestStores } from '../support/stores.js';

describe('idempotent result writes', () => {
  let stores: TestStores;
  const tenant = `idem-${uniqueSuffix()}`;
  const scope = scopeFor(tenant, 'audit-1');
  const urls = ['https://shop.example/a', 'https://shop.example/b'];

  beforeAll(async () => {
    stores = await openStores();
  });
  afterAll(async () => {
    await stores.close();
  });

  async function writeOnce(): Promise<void> {
    await stores.results.recordPageResults(
      scope,
      urls.map((u) => ({ result: auditedResult(u, 'medium'), auditedAt: new Date() })),
    );
    await stores.graph.upsertPages(
      scope,
      urls.map((u) =>
        pageGraphRow(
          scope.siteKey,
          u,
          'audited',
          factsFor(u, 'Ada', ['who.int']),
          auditedResult(u, 'medium').rating,
        ),
      ),
    );
  }

  it('should keep one row per page when the same page results are written again', async () => {
    await writeOnce();
    await writeOnce();
    expect(await stores.results.countRows(tenant, 'audit-1', 'final')).toBe(2);
    await stores.clickhouse.command({ query: `OPTIMIZE TABLE ${stores.database}.page_results FINAL` });
    expect(await stores.results.countRows(tenant, 'audit-1', 'raw')).toBe(2);
  });

  it('should keep node and relationship counts unchanged when the same pages are merged again', async () => {
    const before = await stores.graph.countTenantGraph(tenant);
    await writeOnce();
    expect(await stores.graph.countTenantGraph(tenant)).toEqual(before);
    expect(before.nodes).toMatchObject({
      Page: 2,
      Author: 1,
      ExternalSource: 1,
      Site: 1,
      Audit: 1,
      Organization: 1,
      Topic: 1,
    });
  });
});
