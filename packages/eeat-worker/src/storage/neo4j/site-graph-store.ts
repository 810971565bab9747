/**
 * The site graph in Neo4j: Site, Page, Author, Organization, ExternalSource, Topic and Audit nodes, each
 * carrying its tenant. Writes are MERGE-per-node then MERGE-per-relationship in UNWIND batches inside managed
 * write transactions (`executeWrite` retries transient failures, which is safe because every statement is an
 * idempotent MERGE/SET). Every read binds the tenant on every node it matches.
 */
import type { Driver, ManagedTransaction } from 'neo4j-driver';
import type { AuditScope } from '../audit-scope.js';
import { assertKey } from '../tenant-keys.js';
import type { PageGraphRow } from './graph-rows.js';

const PAGE_BATCH = 500;

const UPSERT_PAGES = `
UNWIND $rows AS row
MERGE (s:Site {tenantId: $tenantId, siteKey: $siteKey})
  ON CREATE SET s.url = $siteUrl
MERGE (p:Page {tenantId: $tenantId, pageId: row.pageId})
SET p.url = row.url, p.title = row.title, p.lastOutcome = row.outcome, p.lastAuditId = $auditId
FOREACH (_ IN CASE WHEN row.level IS NULL THEN [] ELSE [1] END |
  SET p.lastLevel = row.level, p.lastTrust = row.trust, p.purpose = row.purpose, p.ymylClass = row.ymylClass)
MERGE (s)-[:HAS_PAGE]->(p)
MERGE (a:Audit {tenantId: $tenantId, auditId: $auditId})
MERGE (a)-[e:EVALUATED]->(p)
SET e.outcome = row.outcome, e.level = row.level, e.trust = row.trust
FOREACH (au IN row.authors |
  MERGE (x:Author {tenantId: $tenantId, authorKey: au.authorKey})
  SET x.name = au.name, x.url = au.url, x.sameAs = au.sameAs
  MERGE (x)-[:WROTE]->(p))
FOREACH (org IN CASE WHEN row.publisher IS NULL THEN [] ELSE [row.publisher] END |
  MERGE (o:Organization {tenantId: $tenantId, orgKey: org.orgKey})
  SET o.name = org.name, o.url = org.url
  MERGE (o)-[:PUBLISHED]->(p)
  MERGE (o)-[:OPERATES]->(s))
FOREACH (c IN row.citations |
  MERGE (x:ExternalSource {tenantId: $tenantId, domain: c.domain})
  MERGE (p)-[r:CITES]->(x)
  SET r.count = c.count)
FOREACH (t IN CASE WHEN row.topic IS NULL THEN [] ELSE [row.topic] END |
  MERGE (tp:Topic {tenantId: $tenantId, slug: t})
  MERGE (p)-[:ABOUT]->(tp))
`;

const UPSERT_AUDIT = `
MERGE (s:Site {tenantId: $tenantId, siteKey: $siteKey})
  ON CREATE SET s.url = $siteUrl
MERGE (a:Audit {tenantId: $tenantId, auditId: $auditId})
SET a.plan = $plan, a.siteUrl = $siteUrl, a.startedAt = $startedAt, a.status = $status,
    a.pagesTotal = $total, a.pagesAudited = $audited, a.pagesSkipped = $skipped, a.pagesFailed = $failed,
    a.medianLevel = $medianLevel
MERGE (a)-[:OF_SITE]->(s)
`;

export interface AuthorSummary {
  name: string;
  url: string | null;
  pages: string[];
  meanTrust: number | null;
}

export class SiteGraphStore {
  constructor(private readonly driver: Driver) {}

  async upsertPages(scope: AuditScope, rows: readonly PageGraphRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += PAGE_BATCH) {
      const batch = rows.slice(i, i + PAGE_BATCH);
      await this.write((tx) =>
        tx.run(UPSERT_PAGES, {
          tenantId: scope.tenantId,
          siteKey: scope.siteKey,
          siteUrl: scope.siteUrl,
          auditId: scope.auditId,
          rows: batch,
        }),
      );
    }
  }

  async upsertAudit(
    scope: AuditScope,
    audit: {
      status: string;
      counts: { total: number; audited: number; skipped: number; failed: number };
      medianLevel: string | null;
    },
  ): Promise<void> {
    await this.write((tx) =>
      tx.run(UPSERT_AUDIT, {
        tenantId: scope.tenantId,
        siteKey: scope.siteKey,
        siteUrl: scope.siteUrl,
        auditId: scope.auditId,
        plan: scope.plan,
        startedAt: scope.startedAt,
        status: audit.status,
        total: audit.counts.total,
        audited: audit.counts.audited,
        skipped: audit.counts.skipped,
        failed: audit.counts.failed,
        medianLevel: audit.medianLevel,
      }),
    );
  }

  /** The audit's recorded status and how many pages it evaluated, or null when the tenant has no such audit. */
  async auditSummary(
    tenantId: string,
    auditId: string,
  ): Promise<{ status: string; siteUrl: string; pagesEvaluated: number } | null> {
    const records = await this.read(
      `MATCH (a:Audit {tenantId: $tenantId, auditId: $auditId})
       OPTIONAL MATCH (a)-[:EVALUATED]->(p:Page {tenantId: $tenantId})
       RETURN a.status AS status, a.siteUrl AS siteUrl, count(p) AS pages`,
      { tenantId: assertKey('tenantId', tenantId), auditId: assertKey('auditId', auditId) },
    );
    const record = records[0];
    if (!record) return null;
    return {
      status: String(record.status),
      siteUrl: String(record.siteUrl),
      pagesEvaluated: Number(record.pages),
    };
  }

  /** Authors with their pages on a site and the mean Trust score of those pages. */
  async siteAuthors(tenantId: string, siteKey: string): Promise<AuthorSummary[]> {
    const records = await this.read(
      `MATCH (s:Site {tenantId: $tenantId, siteKey: $siteKey})-[:HAS_PAGE]->(p:Page {tenantId: $tenantId})<-[:WROTE]-(au:Author {tenantId: $tenantId})
       RETURN au.name AS name, au.url AS url, collect(p.url) AS pages, avg(p.lastTrust) AS meanTrust
       ORDER BY name`,
      { tenantId: assertKey('tenantId', tenantId), siteKey },
    );
    return records.map((r) => ({
      name: String(r.name),
      url: typeof r.url === 'string' ? r.url : null,
      pages: (r.pages as unknown[]).map(String).sort(),
      meanTrust: r.meanTrust === null ? null : Number(r.meanTrust),
    }));
  }

  /** External domains a site's pages cite, most cited first. */
  async citedSources(tenantId: string, siteKey: string): Promise<{ domain: string; pages: number }[]> {
    const records = await this.read(
      `MATCH (s:Site {tenantId: $tenantId, siteKey: $siteKey})-[:HAS_PAGE]->(p:Page {tenantId: $tenantId})-[:CITES]->(x:ExternalSource {tenantId: $tenantId})
       RETURN x.domain AS domain, count(DISTINCT p) AS pages ORDER BY pages DESC, domain`,
      { tenantId: assertKey('tenantId', tenantId), siteKey },
    );
    return records.map((r) => ({ domain: String(r.domain), pages: Number(r.pages) }));
  }

  /** Node and relationship counts of one tenant, by label: what a re-run of an audit must leave unchanged. */
  async countTenantGraph(
    tenantId: string,
  ): Promise<{ nodes: Record<string, number>; relationships: number }> {
    const params = { tenantId: assertKey('tenantId', tenantId) };
    const nodes = await this.read(
      'MATCH (n {tenantId: $tenantId}) UNWIND labels(n) AS label RETURN label, count(*) AS n ORDER BY label',
      params,
    );
    const rels = await this.read('MATCH (n {tenantId: $tenantId})-[r]->() RETURN count(r) AS n', params);
    return {
      nodes: Object.fromEntries(nodes.map((r) => [String(r.label), Number(r.n)])),
      relationships: Number(rels[0]?.n ?? 0),
    };
  }

  private async write(work: (tx: ManagedTransaction) => Promise<unknown>): Promise<void> {
    const session = this.driver.session();
    try {
      await session.executeWrite(work);
    } finally {
      await session.close();
    }
  }

  private async read(query: string, params: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    const session = this.driver.session();
    try {
      const result = await session.executeRead((tx) => tx.run(query, params));
      return result.records.map((record) => record.toObject() as Record<string, unknown>);
    } finally {
      await session.close();
    }
  }
}
