/**
 * The audit's activities. Each one is idempotent: it writes rows and nodes keyed by tenant, audit and page, so
 * Temporal may retry it (or a whole audit may be re-run) without duplicating results. Bad pages never throw:
 * they end as recorded outcomes. Unexpected failures throw and are retried; past the retries the workflow
 * records `error: internal` for the page through `recordPageError`. Store calls of the page steps go through
 * `fromStores`, so a store outage fails an attempt as `ResultStoreUnavailable`, which the workflow waits out
 * instead of recording the page as failed; page steps heartbeat (the SDK's `heartbeatWhileRunning`) so a lost worker is noticed fast.
 */
import { heartbeatWhileRunning } from '@apexseo/worker-sdk';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  ErrorReasonSchema,
  SkipReasonSchema,
  type FailedPageOutcome,
  type PageAuditResult,
  type PageFacts,
  type PageOutcome,
  type SiteContext,
} from '../audit-model.js';
import type { AuditScope } from '../storage/audit-scope.js';
import type {
  CollectedPage,
  PageResultsStore,
  PageResultRow,
} from '../storage/clickhouse/page-results-store.js';
import { pageGraphRow } from '../storage/neo4j/graph-rows.js';
import type { SiteGraphStore } from '../storage/neo4j/site-graph-store.js';
import { siteKeyOf } from '../storage/tenant-keys.js';
import type { AuditActivities, RatedPage } from '../workflows/audit-activities-contract.js';
import type { AuditSiteResult, CollectResult } from '../workflows/audit-workflow-types.js';
import type { AuditEngine } from './audit-engine.js';
import { AuditSiteInputSchema, describeIssues } from './audit-input-schema.js';
import { fromStores } from './result-store-access.js';

export interface AuditActivityDeps {
  readonly engine: AuditEngine;
  readonly results: PageResultsStore;
  readonly graph: SiteGraphStore;
}

const FACTS_CHUNK = 200;
const CONTEXT_CACHE_SIZE = 64;

/** Site contexts by tenant + audit, so rating a site's pages reads the context once per worker. */
class ContextCache {
  private readonly entries = new Map<string, SiteContext>();
  get(key: string): SiteContext | undefined {
    const value = this.entries.get(key);
    if (value) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }
  set(key: string, value: SiteContext): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > CONTEXT_CACHE_SIZE)
      this.entries.delete(this.entries.keys().next().value as string);
  }
}

export function emptySiteContext(siteUrl: string): SiteContext {
  return {
    origin: new URL(siteUrl).origin,
    pages: {},
    contact: { emails: [], phones: [], hasAddress: false },
    authorPages: {},
    publisher: null,
    duplicates: {},
    https: siteUrl.startsWith('https:'),
  };
}

export function createAuditActivities(deps: AuditActivityDeps): AuditActivities & {
  loadRatingInputs: (
    scope: AuditScope,
    url: string,
  ) => Promise<{ collected: CollectedPage; site: SiteContext }>;
  recordRated: (scope: AuditScope, result: PageAuditResult, facts: PageFacts) => Promise<RatedPage>;
} {
  const { engine, results, graph } = deps;
  const contexts = new ContextCache();

  async function recordOutcomes(scope: AuditScope, outcomes: readonly FailedPageOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    const now = new Date();
    await fromStores(async () => {
      await results.recordPageResults(
        scope,
        outcomes.map((outcome) => ({ result: { outcome, rating: null }, auditedAt: now })),
      );
      await graph.upsertPages(
        scope,
        outcomes.map((o) => pageGraphRow(scope.siteKey, o.url, describe(o), null, null)),
      );
    });
  }

  async function siteContextFor(scope: AuditScope): Promise<SiteContext> {
    const key = `${scope.tenantId}\u0000${scope.auditId}`;
    const cached = contexts.get(key);
    if (cached) return cached;
    const stored =
      (await fromStores(() => results.loadSiteContext(scope.tenantId, scope.auditId))) ??
      emptySiteContext(scope.siteUrl);
    contexts.set(key, stored);
    return stored;
  }

  async function loadRatingInputs(
    scope: AuditScope,
    url: string,
  ): Promise<{ collected: CollectedPage; site: SiteContext }> {
    const collected = (
      await fromStores(() => results.loadPageFacts(scope.tenantId, scope.auditId, [url]))
    ).get(url);
    if (!collected)
      throw ApplicationFailure.nonRetryable(
        `no collected facts for ${url} in audit ${scope.auditId}`,
        'FactsMissing',
      );
    return { collected, site: await siteContextFor(scope) };
  }

  async function recordRated(
    scope: AuditScope,
    result: PageAuditResult,
    facts: PageFacts,
  ): Promise<RatedPage> {
    await fromStores(async () => {
      await results.recordPageResults(scope, [{ result, auditedAt: new Date() }]);
      await graph.upsertPages(scope, [
        pageGraphRow(scope.siteKey, result.outcome.url, 'audited', facts, result.rating),
      ]);
    });
    return { url: result.outcome.url, level: result.rating?.level ?? '' };
  }

  return {
    loadRatingInputs,
    recordRated,

    async beginAudit(raw) {
      const parsed = AuditSiteInputSchema.safeParse(raw);
      if (!parsed.success)
        throw ApplicationFailure.nonRetryable(
          `Invalid audit input: ${describeIssues(parsed.error)}`,
          'InvalidAuditInput',
        );
      const input = parsed.data;
      const previous = await results.auditStartedAt(input.tenantId, input.auditId);
      const startedAt = previous ?? new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
      const scope: AuditScope = {
        tenantId: input.tenantId,
        plan: input.plan,
        auditId: input.auditId,
        siteUrl: input.siteUrl,
        siteKey: siteKeyOf(input.siteUrl),
        startedAt,
      };
      const counts = { total: 0, audited: 0, skipped: 0, failed: 0 };
      await results.recordSiteAudit(scope, { status: 'running', finishedAt: null, rating: null, counts });
      await graph.upsertAudit(scope, { status: 'running', counts, medianLevel: null });
      return scope;
    },

    async discoverPages({ scope, limits, allowHosts }) {
      return heartbeatWhileRunning(async () => {
        const ctx = Context.current();
        const found = await engine.discover(scope.siteUrl, limits, {
          allowHosts,
          heartbeat: () => ctx.heartbeat(),
          signal: ctx.cancellationSignal,
        });
        await recordOutcomes(scope, found.skipped);
        return { urls: found.urls, skipped: found.skipped.length };
      });
    },

    async collectPage({ scope, url, allowHosts }) {
      return heartbeatWhileRunning(async (): Promise<CollectResult> => {
        const collected = await engine.collect(url, {
          siteUrl: scope.siteUrl,
          allowHosts,
          signal: Context.current().cancellationSignal,
        });
        if (!collected.ok) {
          await recordOutcomes(scope, [collected.outcome]);
          return { url, collected: false, outcome: collected.outcome };
        }
        // Facts are stored under the requested URL so the rating step finds them by the URL the workflow holds.
        await fromStores(() =>
          results.recordPageFacts(scope, {
            facts: { ...collected.facts, url },
            finalUrl: collected.finalUrl,
            httpStatus: collected.httpStatus,
          }),
        );
        return { url, collected: true };
      });
    },

    async buildSiteContext({ scope, urls }) {
      return heartbeatWhileRunning(async () => {
        const facts: PageFacts[] = [];
        for (let i = 0; i < urls.length; i += FACTS_CHUNK) {
          const chunk = urls.slice(i, i + FACTS_CHUNK);
          const loaded = await results.loadPageFacts(scope.tenantId, scope.auditId, chunk);
          for (const url of chunk) {
            const f = loaded.get(url);
            if (f) facts.push(f.facts);
          }
        }
        const context = engine.siteContext(scope.siteUrl, facts);
        await results.saveSiteContext(scope, context);
        contexts.set(`${scope.tenantId}\u0000${scope.auditId}`, context);
        return { pages: facts.length };
      });
    },

    async ratePageHeuristic({ scope, url }) {
      return heartbeatWhileRunning(async () => {
        const { collected, site } = await loadRatingInputs(scope, url);
        const rating = engine.rateHeuristic(collected.facts, site);
        return recordRated(scope, { outcome: auditedOutcome(url, collected), rating }, collected.facts);
      });
    },

    async recordPageError({ scope, url, detail }) {
      await recordOutcomes(scope, [{ kind: 'error', url, reason: 'internal', detail }]);
    },

    async finalizeAudit({ scope }): Promise<AuditSiteResult> {
      const rows = await results.auditPages(scope.tenantId, scope.auditId);
      const pages = rows.map(toPageAuditResult);
      const site = await siteContextFor(scope);
      const rating = engine.rateSite({ siteUrl: scope.siteUrl, site, pages });
      const counts = rating.counts;
      await results.recordSiteAudit(scope, { status: 'completed', finishedAt: new Date(), rating, counts });
      await graph.upsertAudit(scope, { status: 'completed', counts, medianLevel: rating.medianLevel });
      return {
        auditId: scope.auditId,
        tenantId: scope.tenantId,
        siteUrl: scope.siteUrl,
        counts,
        medianLevel: rating.medianLevel,
      };
    },
  };
}

export function auditedOutcome(url: string, collected: CollectedPage): PageOutcome {
  return {
    kind: 'audited',
    url,
    finalUrl: collected.finalUrl,
    httpStatus: collected.httpStatus,
    contentHash: collected.facts.contentHash,
  };
}

function describe(outcome: FailedPageOutcome): string {
  return `${outcome.kind}: ${outcome.reason}`;
}

/** Rebuilds the page record the site aggregation reads from a stored row. */
export function toPageAuditResult(row: PageResultRow): PageAuditResult {
  if (row.outcome === 'audited') {
    return {
      outcome: {
        kind: 'audited',
        url: row.pageUrl,
        finalUrl: row.pageUrl,
        httpStatus: row.httpStatus,
        contentHash: row.rating?.contentHash ?? '',
      },
      rating: row.rating,
    };
  }
  if (row.outcome === 'skipped') {
    return {
      outcome: {
        kind: 'skipped',
        url: row.pageUrl,
        reason: SkipReasonSchema.parse(row.outcomeReason),
        detail: row.outcomeDetail,
      },
      rating: null,
    };
  }
  return {
    outcome: {
      kind: 'error',
      url: row.pageUrl,
      reason: ErrorReasonSchema.catch('internal').parse(row.outcomeReason),
      detail: row.outcomeDetail,
      ...(row.httpStatus ? { httpStatus: row.httpStatus } : {}),
    },
    rating: null,
  };
}
