import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { levelRank, type Level } from '../../src/audit-model.js';
import { startAudit, startPageAudit } from '../../src/routing/start-audit.js';
import { startSampleSite, type SampleSite } from '../local-stack/sample-site-server.js';
import { progressQuery } from '../../src/workflows/audit-queries.js';
import type { AuditSiteResult } from '../../src/workflows/audit-workflow-types.js';
import { runCli } from '../cli/run-cli.js';
import { useServices } from '../../../../test/harness/index.js';
import { startAuditWorkers, type RunningWorkers } from '../support/audit-workers.js';
import { openStores, uniqueSuffix, type TestStores } from '../support/stores.js';

/**
 * The whole audit on real servers: Temporal dev server, ClickHouse 18.16, Neo4j, the worker built with the SDK's
 * createWorker, and the bundled sample site on loopback.
 */
describe('auditSite end to end on the sample site', () => {
  let stores: TestStores;
  let workers: RunningWorkers;
  let site: SampleSite;
  const suffix = uniqueSuffix();
  const tenant = `northwind-${suffix}`;
  const auditId = `audit-${randomUUID()}`;
  let result: AuditSiteResult;

  /** An audit of the whole sample site (40 pages at the most). */
  function startSiteAudit(
    tenantId: string,
    plan: 'mrr' | 'ltd',
    auditId: string,
    options: { activitiesPerRun?: number } = {},
  ) {
    return startAudit(workers.client, {
      tenantId,
      plan,
      siteUrl: `${site.origin}/`,
      auditId,
      limits: { pages: 40, depth: 3, concurrencyPerHost: 4 },
      allowHosts: [site.allowHost],
      ...options,
    });
  }

  async function run(
    id: string,
    tenantId = tenant,
    plan: 'mrr' | 'ltd' = 'mrr',
  ): Promise<{ result: AuditSiteResult; workflowId: string; taskQueue: string }> {
    const started = await startSiteAudit(tenantId, plan, id);
    return {
      result: await started.handle.result(),
      workflowId: started.workflowId,
      taskQueue: started.taskQueue,
    };
  }

  beforeAll(async () => {
    stores = await openStores();
    site = await startSampleSite();
    workers = await startAuditWorkers(stores);
    ({ result } = await run(auditId));
  }, 600_000);
  afterAll(async () => {
    await workers?.stop();
    await site?.close();
    await stores?.close();
  });

  it('should record exactly one outcome for every page it discovered', async () => {
    const pages = await stores.results.auditPages(tenant, auditId);
    expect(pages.length).toBe(result.counts.total);
    expect(new Set(pages.map((p) => p.pageUrl)).size).toBe(pages.length);
    expect(result.counts.audited + result.counts.skipped + result.counts.failed).toBe(result.counts.total);
    expect(result.counts.audited).toBeGreaterThanOrEqual(10);
  });

  it('should skip the robots-disallowed pages with a recorded reason', async () => {
    const pages = await stores.results.auditPages(tenant, auditId);
    const privatePages = pages.filter((p) => p.pageUrl.includes('/private/'));
    expect(privatePages.length).toBeGreaterThan(0);
    for (const page of privatePages)
      expect([page.outcome, page.outcomeReason]).toEqual(['skipped', 'robots']);
  });

  it('should rate the well-sourced article with an author bio above the anonymous YMYL pages', async () => {
    const pages = await stores.results.auditPages(tenant, auditId);
    const level = (path: string): number => {
      const page = pages.find((p) => p.pageUrl.endsWith(path));
      expect(page?.outcome, path).toBe('audited');
      return levelRank(page?.level as Level);
    };
    expect(level('/articles/vitamin-d-guide.html')).toBeGreaterThan(
      level('/articles/miracle-sleep-tonic.html'),
    );
    expect(level('/articles/vitamin-d-guide.html')).toBeGreaterThan(
      level('/articles/cure-diabetes-naturally.html'),
    );
  });

  it('should answer the progress query with every page accounted for once the audit completed', async () => {
    const progress = await workers.client.workflow
      .getHandle(`eeat-audit:${tenant}:${auditId}`)
      .query(progressQuery);
    expect(progress.phase).toBe('completed');
    expect(progress.done).toBe(result.counts.audited);
    expect(progress.done + progress.failed + progress.skipped).toBe(progress.total);
    expect(progress.total).toBe(result.counts.total);
  });

  it('should store the audit summary and the site graph', async () => {
    const summary = await stores.results.siteAudit(tenant, auditId);
    expect(summary?.status).toBe('completed');
    expect(summary?.counts).toEqual(result.counts);
    const graph = await stores.graph.auditSummary(tenant, auditId);
    expect(graph?.pagesEvaluated).toBe(result.counts.total);
    expect((await stores.graph.siteAuthors(tenant, site.allowHost)).length).toBeGreaterThan(0);
  });

  it('should leave row and node counts unchanged when the same audit id is run again', async () => {
    const rowsBefore = await stores.results.countRows(tenant, auditId, 'final');
    const graphBefore = await stores.graph.countTenantGraph(tenant);
    const again = await run(auditId);
    expect(again.result.counts).toEqual(result.counts);
    expect(await stores.results.countRows(tenant, auditId, 'final')).toBe(rowsBefore);
    expect(await stores.graph.countTenantGraph(tenant)).toEqual(graphBefore);
    await stores.clickhouse.command({ query: `OPTIMIZE TABLE ${stores.database}.page_results FINAL` });
    expect(await stores.results.countRows(tenant, auditId, 'raw')).toBe(rowsBefore);
  }, 300_000);

  it('should run an MRR audit on the priority pool with its tenant search attributes', async () => {
    const description = await workers.client.workflow.getHandle(`eeat-audit:${tenant}:${auditId}`).describe();
    expect(description.taskQueue).toBe('eeat-priority');
    expect(description.searchAttributes).toMatchObject({
      TenantId: [tenant],
      Plan: ['mrr'],
      AuditId: [auditId],
    });
  });

  it('should run a lifetime-deal audit on the standard pool with its tenant search attributes', async () => {
    const ltdTenant = `ltd-${suffix}`;
    const id = `audit-${randomUUID()}`;
    const { workflowId, taskQueue } = await run(id, ltdTenant, 'ltd');
    expect(taskQueue).toBe('eeat-standard');
    const description = await workers.client.workflow.getHandle(workflowId).describe();
    expect(description.taskQueue).toBe('eeat-standard');
    expect(description.searchAttributes).toMatchObject({
      TenantId: [ltdTenant],
      Plan: ['ltd'],
      AuditId: [id],
    });
    expect((await stores.results.siteAudit(ltdTenant, id))?.plan).toBe('ltd');
  }, 300_000);

  it('should continue as new on a small activity budget and still record every page once', async () => {
    const tenantId = `can-${suffix}`;
    const id = `audit-${randomUUID()}`;
    // The sample site fits one range step per phase: a budget of one step continues as new between them.
    const started = await startSiteAudit(tenantId, 'mrr', id, { activitiesPerRun: 1 });
    const again = await started.handle.result();
    expect(again.counts).toEqual(result.counts);
    const progress = await started.handle.query(progressQuery);
    // Continued as new between collection and rating (the rating phase ran on a run that carried only counters).
    expect(progress.runs).toBeGreaterThanOrEqual(1);
    expect(progress.phase).toBe('completed');
    expect(await stores.results.countRows(tenantId, id, 'final')).toBe(result.counts.total);
  }, 300_000);

  it('should audit a single page with auditPage and record its one outcome', async () => {
    const tenantId = `page-${suffix}`;
    const started = await startPageAudit(workers.client, {
      tenantId,
      plan: 'ltd',
      url: `${site.origin}/articles/vitamin-d-guide.html`,
      allowHosts: [site.allowHost],
    });
    const single = await started.handle.result();
    expect(single.counts).toMatchObject({ total: 1, audited: 1 });
    const pages = await stores.results.auditPages(tenantId, started.auditId);
    expect(pages.map((p) => p.pageUrl)).toEqual([`${site.origin}/articles/vitamin-d-guide.html`]);
    expect(started.taskQueue).toBe('eeat-standard');
  }, 300_000);

  it('should fail an audit with invalid input with an error naming the field, without running it', async () => {
    const handle = await workers.client.workflow.start('auditSite', {
      taskQueue: 'eeat-priority',
      workflowId: `bad-${randomUUID()}`,
      args: [
        {
          tenantId: tenant,
          plan: 'mrr',
          auditId: 'bad-1',
          siteUrl: 'not a url',
          limits: { pages: 1, depth: 0, concurrencyPerHost: 1 },
          scoring: 'heuristic',
        },
      ],
    });
    await expect(handle.result()).rejects.toThrow(/Workflow execution failed/);
    const history = await handle.fetchHistory();
    const failure = JSON.stringify(history.events?.at(-1) ?? {});
    expect(failure).toContain('siteUrl: must be an absolute http(s) URL');
  }, 120_000);

  it('should start and follow an audit from the CLI, printing progress on stderr and the result as JSON', async () => {
    const { temporal } = await useServices('temporal');
    const tenantId = `cli-${suffix}`;
    const auditStart = (...options: string[]) =>
      runCli(
        [
          'audit',
          'start',
          '--tenant',
          tenantId,
          '--plan',
          'ltd',
          '--site',
          `${site.origin}/`,
          '--allow-host',
          site.allowHost,
          ...options,
        ],
        { env: { APEXSEO_TEMPORAL_ADDRESS: temporal.address, APEXSEO_FETCH_PRIVATE_HOSTS: '127.0.0.1:*' } },
      );
    const run = await auditStart('--pages', '40', '--follow', '--json');
    expect(run.code, run.stderr).toBe(0);
    const body = JSON.parse(run.stdout) as {
      auditId: string;
      taskQueue: string;
      counts: AuditSiteResult['counts'];
    };
    expect(body.taskQueue).toBe('eeat-standard');
    expect(body.counts).toEqual(result.counts);
    expect(await stores.results.countRows(tenantId, body.auditId, 'final')).toBe(result.counts.total);

    const human = await auditStart('--follow');
    expect(human.code, human.stderr).toBe(0);
    expect(human.stderr).toMatch(/100% \d+\/\d+ pages/);
    expect(human.stdout).toMatch(/audited, \d+ skipped, \d+ failed; median level/);
  }, 300_000);
});
