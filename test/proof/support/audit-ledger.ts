/**
 * Starts audits through the platform's own start helper and checks, per audit, that it completed exactly once:
 * the workflow completed, ClickHouse holds one row per page outcome (read FINAL, and the same again after
 * merging every part), one completed site-audit row, and Neo4j one Audit node with one EVALUATED edge per page.
 */
import type { Client } from '@temporalio/client';
import { startAudit, type StartedAudit } from '../../../packages/eeat-worker/src/routing/start-audit.js';
import type { StoreClients } from '../../../packages/eeat-worker/src/worker/store-clients.js';
import type { AuditSiteResult } from '../../../packages/eeat-worker/src/workflows/audit-workflow-types.js';

export interface AuditRequest {
  readonly tenantId: string;
  readonly plan: 'mrr' | 'ltd';
  readonly auditId: string;
}

export interface AuditLedgerEntry extends AuditRequest {
  readonly workflowId: string;
  readonly status: string;
  readonly pagesTotal: number;
  /** Pages whose outcome is an error (e.g. an LLM step that ran out of retries): recorded, not lost. */
  readonly pagesFailed: number;
  readonly clickhouseRowsFinal: number;
  readonly clickhouseRowsMerged: number;
  readonly clickhouseSiteStatus: string | null;
  readonly neo4jAuditNodes: number;
  readonly neo4jEvaluatedEdges: number;
}

export async function startAudits(
  client: Client,
  site: { origin: string; allowHost: string },
  requests: readonly AuditRequest[],
  pages: number,
): Promise<StartedAudit[]> {
  return Promise.all(
    requests.map((r) =>
      startAudit(client, {
        ...r,
        siteUrl: `${site.origin}/`,
        limits: { pages, depth: 2, concurrencyPerHost: 2 },
        scoring: 'llm',
        provider: 'openai',
        allowHosts: [site.allowHost],
      }),
    ),
  );
}

/** Waits for every audit's workflow to close (bounded); returns their results keyed by workflow id. */
export async function awaitAudits(
  audits: readonly StartedAudit[],
  timeoutMs: number,
): Promise<Map<string, AuditSiteResult>> {
  const results = new Map<string, AuditSiteResult>();
  const deadline = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`audits still running after ${timeoutMs / 1000} s`)),
      timeoutMs,
    ).unref(),
  );
  await Promise.race([
    Promise.all(audits.map(async (a) => results.set(a.workflowId, await a.handle.result()))),
    deadline,
  ]);
  return results;
}

export async function ledgerOf(
  client: Client,
  stores: StoreClients,
  audits: readonly (AuditRequest & { workflowId: string })[],
): Promise<AuditLedgerEntry[]> {
  await stores.clickhouse.command({
    query: `OPTIMIZE TABLE ${stores.clickhouseSettings.database}.page_results FINAL`,
  });
  const session = stores.neo4j.session();
  try {
    const out: AuditLedgerEntry[] = [];
    for (const a of audits) {
      const description = await client.workflow.getHandle(a.workflowId).describe();
      const site = await stores.results.siteAudit(a.tenantId, a.auditId);
      const graph = await session.run(
        `OPTIONAL MATCH (x:Audit {tenantId: $tenantId, auditId: $auditId})
         WITH count(x) AS audits
         OPTIONAL MATCH (:Audit {tenantId: $tenantId, auditId: $auditId})-[e:EVALUATED]->(:Page {tenantId: $tenantId})
         RETURN audits, count(e) AS edges`,
        { tenantId: a.tenantId, auditId: a.auditId },
      );
      const record = graph.records[0];
      out.push({
        tenantId: a.tenantId,
        plan: a.plan,
        auditId: a.auditId,
        workflowId: a.workflowId,
        status: description.status.name,
        pagesTotal: site?.counts.total ?? Number.NaN,
        pagesFailed: site?.counts.failed ?? Number.NaN,
        clickhouseRowsFinal: await stores.results.countRows(a.tenantId, a.auditId, 'final'),
        clickhouseRowsMerged: await stores.results.countRows(a.tenantId, a.auditId, 'raw'),
        clickhouseSiteStatus: site?.status ?? null,
        neo4jAuditNodes: Number(record?.get('audits') ?? 0),
        neo4jEvaluatedEdges: Number(record?.get('edges') ?? 0),
      });
    }
    return out;
  } finally {
    await session.close();
  }
}

/** The ledger rows that break "completed exactly once" (empty when every audit is whole). */
export function incompleteOrDuplicated(
  ledger: readonly AuditLedgerEntry[],
  expectedPages: (e: AuditLedgerEntry) => number,
): AuditLedgerEntry[] {
  return ledger.filter((e) => {
    const pages = expectedPages(e);
    return (
      e.status !== 'COMPLETED' ||
      e.clickhouseSiteStatus !== 'completed' ||
      e.clickhouseRowsFinal !== pages ||
      e.clickhouseRowsMerged !== pages ||
      e.neo4jAuditNodes !== 1 ||
      e.neo4jEvaluatedEdges !== pages
    );
  });
}

/**
 * The ledger rows with a page recorded as failed. A fault of the platform (a killed worker, a server outage)
 * delays pages but never fails one, so after a fault scenario this is empty.
 */
export function withFailedPages(ledger: readonly AuditLedgerEntry[]): AuditLedgerEntry[] {
  return ledger.filter((e) => e.pagesFailed !== 0);
}
