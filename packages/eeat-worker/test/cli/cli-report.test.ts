import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditedResult, scopeFor } from '../support/rating-fixtures.js';
import { openStores, storesEnv, uniqueSuffix, type TestStores } from '../support/stores.js';
import { runCli } from './run-cli.js';

/** `apexseo audit report` and `apexseo migrate` against real ClickHouse and Neo4j. */
describe('apexseo audit report and migrate', () => {
  let stores: TestStores;
  let env: Record<string, string>;
  const tenant = `report-${uniqueSuffix()}`;
  const scope = scopeFor(tenant, 'audit-r1');

  beforeAll(async () => {
    stores = await openStores();
    env = storesEnv(stores);
    await stores.results.recordPageResults(scope, [
      { result: auditedResult('https://shop.example/guide', 'high'), auditedAt: new Date() },
      {
        result: {
          outcome: {
            kind: 'skipped',
            url: 'https://shop.example/private/x',
            reason: 'robots',
            detail: 'Disallow: /private/',
          },
          rating: null,
        },
        auditedAt: new Date(),
      },
    ]);
    await stores.results.recordSiteAudit(scope, {
      status: 'completed',
      finishedAt: new Date(),
      rating: null,
      counts: { total: 2, audited: 1, skipped: 1, failed: 0 },
    });
  });
  afterAll(async () => {
    await stores?.close();
  });

  it('should print a table with level, dimension scores and evidence quotes per page', async () => {
    const run = await runCli(['audit', 'report', '--tenant', tenant, '--audit', 'audit-r1'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^high\s+70\s+70\s+70\s+70\s+70\s+\/guide$/m);
    expect(run.stdout).toContain('“By Dr. Ada”');
    expect(run.stdout).toMatch(/^skipped .*\/private\/x\s+\(skipped: robots/m);
  });

  it('should print the audit and its pages as one JSON document with --json', async () => {
    const run = await runCli(['audit', 'report', '--tenant', tenant, '--audit', 'audit-r1', '--json'], {
      env,
    });
    expect(run.code, run.stderr).toBe(0);
    const body = JSON.parse(run.stdout) as {
      audit: { counts: unknown };
      pages: Array<{ pageUrl: string; level: string }>;
    };
    expect(body.audit.counts).toEqual({ total: 2, audited: 1, skipped: 1, failed: 0 });
    expect(body.pages.map((p) => [p.pageUrl, p.level])).toEqual([
      ['https://shop.example/guide', 'high'],
      ['https://shop.example/private/x', ''],
    ]);
  });

  it("should not show another tenant's audit", async () => {
    const run = await runCli(
      ['audit', 'report', '--tenant', `other-${tenant}`, '--audit', 'audit-r1', '--json'],
      { env },
    );
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { type: 'AUDIT_NOT_FOUND' } });
  });

  it('should report applied and waiting ClickHouse migrations as JSON', async () => {
    const run = await runCli(['migrate', '--store', 'clickhouse', '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    const body = JSON.parse(run.stdout) as {
      clickhouse: { serverVersion: string; alreadyApplied: string[] };
    };
    expect(body.clickhouse.alreadyApplied).toContain('1_page_results');
    expect(body.clickhouse.serverVersion).toMatch(/^\d+\./);
  });

  it('should name the bad option for an unknown store', async () => {
    const run = await runCli(['migrate', '--store', 'mysql', '--json'], { env });
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { type: 'INVALID_OPTION' } });
  });
});
