/**
 * Writes and reads audit results in ClickHouse. Every query takes the tenant and filters on it first (the
 * tables are ordered by tenant), and every read of a ReplacingMergeTree uses FINAL or argMax so a retried or
 * re-run write never shows twice.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import {
  PageFactsSchema,
  PageRatingSchema,
  SiteContextSchema,
  SiteRatingSchema,
  levelRank,
  type PageAuditResult,
  type PageRating,
  type SiteContext,
  type SiteRating,
} from '../../audit-model.js';
import type { AuditScope } from '../audit-scope.js';
import { assertKey, pageIdOf } from '../tenant-keys.js';
import { clickHouseDateTime } from './clickhouse-migrator.js';
import { sqlIdentifier, sqlString } from './clickhouse-sql.js';

const CollectedPageSchema = z.object({
  facts: PageFactsSchema,
  finalUrl: z.string(),
  httpStatus: z.number().int(),
});
/** A page's extracted facts with where its fetch ended. */
export type CollectedPage = z.infer<typeof CollectedPageSchema>;

export interface PageResultRow {
  pageUrl: string;
  outcome: 'audited' | 'skipped' | 'error';
  outcomeReason: string;
  outcomeDetail: string;
  httpStatus: number;
  level: string;
  gatedBy: string;
  scores: {
    experience: number | null;
    expertise: number | null;
    authoritativeness: number | null;
    trust: number | null;
    mcQuality: number | null;
    reputation: number | null;
  };
  auditedAt: string;
  rating: PageRating | null;
}

export interface SiteAuditRow {
  tenantId: string;
  auditId: string;
  siteUrl: string;
  plan: string;
  status: string;
  startedAt: string;
  finishedAt: string;
  counts: { total: number; audited: number; skipped: number; failed: number };
  medianLevel: string;
  rating: SiteRating | null;
}

export interface LatestPageScore {
  pageUrl: string;
  auditId: string;
  auditedAt: string;
  level: string;
  trust: number | null;
}

export interface DailyTrendPoint {
  day: string;
  pages: number;
  experience: number | null;
  expertise: number | null;
  authoritativeness: number | null;
  trust: number | null;
  mcQuality: number | null;
}

const RawPageRow = z.object({
  page_url: z.string(),
  outcome: z.enum(['audited', 'skipped', 'error']),
  outcome_reason: z.string(),
  outcome_detail: z.string(),
  http_status: z.coerce.number(),
  level: z.string(),
  gated_by: z.string(),
  experience: z.coerce.number().nullable(),
  expertise: z.coerce.number().nullable(),
  authoritativeness: z.coerce.number().nullable(),
  trust: z.coerce.number().nullable(),
  mc_quality: z.coerce.number().nullable(),
  reputation: z.coerce.number().nullable(),
  audited_at: z.string(),
  rating_json: z.string(),
});

export class PageResultsStore {
  private readonly db: string;

  constructor(
    private readonly client: ClickHouseClient,
    database: string,
  ) {
    this.db = sqlIdentifier(database);
  }

  /** One row per page of an audit, whatever its outcome. Same key on retry: (tenant, site, page, start, audit). */
  async recordPageResults(
    scope: AuditScope,
    results: readonly { result: PageAuditResult; auditedAt: Date }[],
  ): Promise<void> {
    if (results.length === 0) return;
    const version = Date.now();
    const values = results.map(({ result, auditedAt }) => {
      const { outcome, rating } = result;
      const d = rating?.dimensions;
      return {
        tenant_id: scope.tenantId,
        plan: scope.plan,
        site_key: scope.siteKey,
        page_id: pageIdOf(outcome.url),
        audit_id: scope.auditId,
        audit_started_at: clickHouseDateTime(new Date(scope.startedAt)),
        audited_at: clickHouseDateTime(auditedAt),
        page_url: outcome.url,
        outcome: outcome.kind,
        outcome_reason: outcome.kind === 'audited' ? '' : outcome.reason,
        outcome_detail: outcome.kind === 'audited' ? '' : outcome.detail,
        http_status:
          outcome.kind === 'audited'
            ? outcome.httpStatus
            : outcome.kind === 'error'
              ? (outcome.httpStatus ?? 0)
              : 0,
        level: rating?.level ?? '',
        level_rank: rating ? levelRank(rating.level) : -1,
        gated_by: rating?.gatedBy ?? '',
        experience: d?.experience.score ?? null,
        expertise: d?.expertise.score ?? null,
        authoritativeness: d?.authoritativeness.score ?? null,
        trust: d?.trust.score ?? null,
        mc_quality: d?.mc_quality.score ?? null,
        reputation: rating?.reputation?.score ?? null,
        purpose: rating?.purpose ?? '',
        ymyl_class: rating?.ymyl.class ?? '',
        scorer: rating?.scorer ?? '',
        model: rating?.model ?? '',
        rubric_version: rating?.rubricVersion ?? '',
        content_hash: outcome.kind === 'audited' ? outcome.contentHash : '',
        rating_json: rating ? JSON.stringify(rating) : '',
        version,
      };
    });
    await this.client.insert({ table: `${this.db}.page_results`, values, format: 'JSONEachRow' });
  }

  /** Stores a collected page's facts (and where the fetch ended) for the rating step and later re-scoring. */
  async recordPageFacts(scope: AuditScope, collected: CollectedPage): Promise<void> {
    await this.recordPageFactsMany(scope, [collected]);
  }

  /** Stores several collected pages' facts in one insert. */
  async recordPageFactsMany(scope: AuditScope, pages: readonly CollectedPage[]): Promise<void> {
    if (pages.length === 0) return;
    const version = Date.now();
    const startedAt = clickHouseDateTime(new Date(scope.startedAt));
    await this.client.insert({
      table: `${this.db}.page_facts`,
      values: pages.map((collected) => ({
        tenant_id: scope.tenantId,
        audit_id: scope.auditId,
        page_id: pageIdOf(collected.facts.url),
        audit_started_at: startedAt,
        page_url: collected.facts.url,
        facts_json: JSON.stringify(collected),
        version,
      })),
      format: 'JSONEachRow',
    });
  }

  /** The facts extracted for `urls` in this audit (missing pages are absent from the map). */
  async loadPageFacts(
    tenantId: string,
    auditId: string,
    urls: readonly string[],
  ): Promise<Map<string, CollectedPage>> {
    const out = new Map<string, CollectedPage>();
    if (urls.length === 0) return out;
    const ids = urls.map((url) => sqlString(pageIdOf(url))).join(', ');
    const rows = await this.select<{ facts_json: string }>(
      `SELECT argMax(facts_json, version) AS facts_json FROM ${this.db}.page_facts
       WHERE tenant_id = ${this.tenant(tenantId)} AND audit_id = ${sqlString(assertKey('auditId', auditId))} AND page_id IN (${ids})
       GROUP BY page_id`,
    );
    for (const row of rows) {
      const collected = CollectedPageSchema.parse(JSON.parse(row.facts_json));
      out.set(collected.facts.url, collected);
    }
    return out;
  }

  /**
   * Calls `onPage` for every collected page of the audit, streamed in one read (`FINAL` keeps the latest write of
   * each page): the site context is built from any number of pages without holding their texts at once, and the
   * table is read once, not once per chunk. Returns how many pages were read.
   */
  async forEachPageFacts(
    tenantId: string,
    auditId: string,
    onPage: (page: CollectedPage) => void,
  ): Promise<number> {
    const result = await this.client.query({
      query: `SELECT facts_json FROM ${this.db}.page_facts FINAL
              WHERE tenant_id = ${this.tenant(tenantId)} AND audit_id = ${sqlString(assertKey('auditId', auditId))}`,
      format: 'JSONEachRow',
    });
    let pages = 0;
    for await (const rows of result.stream<{ facts_json: string }>()) {
      for (const row of rows) {
        onPage(CollectedPageSchema.parse(JSON.parse(row.json().facts_json)));
        pages++;
      }
    }
    return pages;
  }

  async saveSiteContext(scope: AuditScope, context: SiteContext): Promise<void> {
    await this.client.insert({
      table: `${this.db}.audit_contexts`,
      values: [
        {
          tenant_id: scope.tenantId,
          audit_id: scope.auditId,
          audit_started_at: clickHouseDateTime(new Date(scope.startedAt)),
          context_json: JSON.stringify(context),
          version: Date.now(),
        },
      ],
      format: 'JSONEachRow',
    });
  }

  async loadSiteContext(tenantId: string, auditId: string): Promise<SiteContext | null> {
    const rows = await this.select<{ context_json: string; n: string | number }>(
      `SELECT argMax(context_json, version) AS context_json, count() AS n FROM ${this.db}.audit_contexts
       WHERE tenant_id = ${this.tenant(tenantId)} AND audit_id = ${sqlString(assertKey('auditId', auditId))}`,
    );
    const row = rows[0];
    if (!row || Number(row.n) === 0) return null;
    return SiteContextSchema.parse(JSON.parse(row.context_json));
  }

  async recordSiteAudit(
    scope: AuditScope,
    audit: {
      status: 'running' | 'completed';
      finishedAt: Date | null;
      rating: SiteRating | null;
      counts: SiteAuditRow['counts'];
    },
  ): Promise<void> {
    const dims = audit.rating?.dimensions;
    await this.client.insert({
      table: `${this.db}.site_audits`,
      values: [
        {
          tenant_id: scope.tenantId,
          plan: scope.plan,
          site_key: scope.siteKey,
          site_url: scope.siteUrl,
          audit_id: scope.auditId,
          started_at: clickHouseDateTime(new Date(scope.startedAt)),
          finished_at: clickHouseDateTime(audit.finishedAt ?? new Date(0)),
          status: audit.status,
          pages_total: audit.counts.total,
          pages_audited: audit.counts.audited,
          pages_skipped: audit.counts.skipped,
          pages_failed: audit.counts.failed,
          median_level: audit.rating?.medianLevel ?? '',
          experience: dims?.experience ?? null,
          expertise: dims?.expertise ?? null,
          authoritativeness: dims?.authoritativeness ?? null,
          trust: dims?.trust ?? null,
          mc_quality: dims?.mc_quality ?? null,
          rubric_version: audit.rating?.rubricVersion ?? '',
          site_rating_json: audit.rating ? JSON.stringify(audit.rating) : '',
          version: Date.now(),
        },
      ],
      format: 'JSONEachRow',
    });
  }

  /** The start time recorded for this audit id, if it ran before: re-runs reuse it so row keys stay the same. */
  async auditStartedAt(tenantId: string, auditId: string): Promise<string | null> {
    // Unix seconds, so the answer does not depend on the server's time zone.
    const rows = await this.select<{ started_at: string | number; n: string | number }>(
      `SELECT toUnixTimestamp(min(started_at)) AS started_at, count() AS n FROM ${this.db}.site_audits
       WHERE tenant_id = ${this.tenant(tenantId)} AND audit_id = ${sqlString(assertKey('auditId', auditId))}`,
    );
    const row = rows[0];
    if (!row || Number(row.n) === 0) return null;
    return new Date(Number(row.started_at) * 1000).toISOString();
  }

  async siteAudit(tenantId: string, auditId: string): Promise<SiteAuditRow | null> {
    const rows = await this.select<Record<string, string | number>>(
      `SELECT tenant_id, audit_id, site_url, plan, status, started_at, finished_at, pages_total, pages_audited,
              pages_skipped, pages_failed, median_level, site_rating_json
       FROM ${this.db}.site_audits FINAL
       WHERE tenant_id = ${this.tenant(tenantId)} AND audit_id = ${sqlString(assertKey('auditId', auditId))}
       ORDER BY version DESC LIMIT 1`,
    );
    const row = rows[0];
    if (!row) return null;
    const ratingJson = String(row.site_rating_json);
    return {
      tenantId: String(row.tenant_id),
      auditId: String(row.audit_id),
      siteUrl: String(row.site_url),
      plan: String(row.plan),
      status: String(row.status),
      startedAt: String(row.started_at),
      finishedAt:
        String(row.finished_at).startsWith('0000') || String(row.finished_at).startsWith('1970')
          ? ''
          : String(row.finished_at),
      counts: {
        total: Number(row.pages_total),
        audited: Number(row.pages_audited),
        skipped: Number(row.pages_skipped),
        failed: Number(row.pages_failed),
      },
      medianLevel: String(row.median_level),
      rating: ratingJson ? SiteRatingSchema.parse(JSON.parse(ratingJson)) : null,
    };
  }

  /** Every page of one audit with its outcome and rating, best level first. */
  async auditPages(tenantId: string, auditId: string): Promise<PageResultRow[]> {
    const rows = await this.select<unknown>(
      `SELECT page_url, outcome, outcome_reason, outcome_detail, http_status, level, gated_by, experience, expertise,
              authoritativeness, trust, mc_quality, reputation, toString(audited_at) AS audited_at, rating_json, level_rank
       FROM ${this.db}.page_results FINAL
       WHERE tenant_id = ${this.tenant(tenantId)} AND audit_id = ${sqlString(assertKey('auditId', auditId))}
       ORDER BY level_rank DESC, page_url`,
    );
    return rows.map((raw) => {
      const row = RawPageRow.parse(raw);
      return {
        pageUrl: row.page_url,
        outcome: row.outcome,
        outcomeReason: row.outcome_reason,
        outcomeDetail: row.outcome_detail,
        httpStatus: row.http_status,
        level: row.level,
        gatedBy: row.gated_by,
        scores: {
          experience: row.experience,
          expertise: row.expertise,
          authoritativeness: row.authoritativeness,
          trust: row.trust,
          mcQuality: row.mc_quality,
          reputation: row.reputation,
        },
        auditedAt: row.audited_at,
        rating: row.rating_json ? PageRatingSchema.parse(JSON.parse(row.rating_json)) : null,
      };
    });
  }

  /** The most recent audited score of every page of a site. */
  async latestPageScores(tenantId: string, siteKey: string): Promise<LatestPageScore[]> {
    const rows = await this.select<Record<string, string | number | null>>(
      `SELECT page_id,
              argMax(page_url, (audit_started_at, version)) AS page_url,
              argMax(audit_id, (audit_started_at, version)) AS audit_id,
              toString(argMax(audited_at, (audit_started_at, version))) AS audited_at,
              argMax(level, (audit_started_at, version)) AS level,
              argMax(trust, (audit_started_at, version)) AS trust
       FROM ${this.db}.page_results
       WHERE tenant_id = ${this.tenant(tenantId)} AND site_key = ${sqlString(siteKey)} AND outcome = 'audited'
       GROUP BY page_id
       ORDER BY page_url`,
    );
    return rows.map((row) => ({
      pageUrl: String(row.page_url),
      auditId: String(row.audit_id),
      auditedAt: String(row.audited_at),
      level: String(row.level),
      trust: row.trust === null ? null : Number(row.trust),
    }));
  }

  /** Mean dimension scores of a site's audited pages per day (UTC). */
  async siteDailyTrend(tenantId: string, siteKey: string, days = 90): Promise<DailyTrendPoint[]> {
    const rows = await this.select<Record<string, string | number | null>>(
      `SELECT toString(toDate(audited_at)) AS day, uniqExact(page_id) AS pages,
              avg(experience) AS experience, avg(expertise) AS expertise, avg(authoritativeness) AS authoritativeness,
              avg(trust) AS trust, avg(mc_quality) AS mc_quality
       FROM ${this.db}.page_results FINAL
       WHERE tenant_id = ${this.tenant(tenantId)} AND site_key = ${sqlString(siteKey)} AND outcome = 'audited'
         AND audited_at >= now() - ${Math.max(1, Math.floor(days)) * 86_400}
       GROUP BY day ORDER BY day`,
    );
    const num = (v: string | number | null | undefined): number | null =>
      v === null || v === undefined || Number.isNaN(Number(v)) ? null : Math.round(Number(v) * 10) / 10;
    return rows.map((row) => ({
      day: String(row.day),
      pages: Number(row.pages),
      experience: num(row.experience),
      expertise: num(row.expertise),
      authoritativeness: num(row.authoritativeness),
      trust: num(row.trust),
      mcQuality: num(row.mc_quality),
    }));
  }

  /** Rows stored for an audit before deduplication (what a re-run must not grow once merged or read FINAL). */
  async countRows(tenantId: string, auditId: string, mode: 'final' | 'raw'): Promise<number> {
    const rows = await this.select<{ n: string | number }>(
      `SELECT count() AS n FROM ${this.db}.page_results ${mode === 'final' ? 'FINAL' : ''}
       WHERE tenant_id = ${this.tenant(tenantId)} AND audit_id = ${sqlString(assertKey('auditId', auditId))}`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  private tenant(tenantId: string): string {
    return sqlString(assertKey('tenantId', tenantId));
  }

  private async select<T>(query: string): Promise<T[]> {
    const result = await this.client.query({ query, format: 'JSONEachRow' });
    return result.json<T>();
  }
}
