/**
 * What the rating steps share: the heuristic steps (`audit-activities.ts`) and the LLM step
 * (`llm-rating-activity.ts`) read a collected page's facts with the audit's site context, and record the rated
 * page. The composition root (`worker/eeat-worker.ts`) creates one store and hands it to both factories, so a worker
 * reads an audit's site context once whichever step rates its pages.
 *
 * Store calls go through `fromStores`: a store failure surfaces as `ResultStoreUnavailable`, a platform failure
 * the workflow waits out.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { PageAuditResult, PageFacts, PageOutcome, SiteContext } from '../audit-model.js';
import type { AuditScope } from '../storage/audit-scope.js';
import type { CollectedPage, PageResultsStore } from '../storage/clickhouse/page-results-store.js';
import { pageGraphRow } from '../storage/neo4j/graph-rows.js';
import type { SiteGraphStore } from '../storage/neo4j/site-graph-store.js';
import type { RatedPage } from '../workflows/audit-activities-contract.js';
import { fromStores } from './result-store-access.js';

export interface RatingInputs {
  readonly collected: CollectedPage;
  readonly site: SiteContext;
}

export interface PageRatingStore {
  /** The audit's site context: cached for the worker's most recent audits, else read (empty if none was built). */
  siteContext(scope: AuditScope): Promise<SiteContext>;
  /** Keeps a site context this worker just built and stored, so its rating steps need not read it back. */
  rememberSiteContext(scope: AuditScope, context: SiteContext): void;
  /** A collected page's facts and the audit's site context; `FactsMissing` (not retried) when none were stored. */
  loadRatingInputs(scope: AuditScope, url: string): Promise<RatingInputs>;
  /** Records a rated page: its result in ClickHouse, its node in the site graph. */
  recordRated(scope: AuditScope, result: PageAuditResult, facts: PageFacts): Promise<RatedPage>;
}

export interface PageRatingStoreDeps {
  readonly results: PageResultsStore;
  readonly graph: SiteGraphStore;
}

/** Audits whose site context a worker keeps (least recently used goes first). */
const CONTEXT_CACHE_SIZE = 64;

export function createPageRatingStore({ results, graph }: PageRatingStoreDeps): PageRatingStore {
  const contexts = new Map<string, SiteContext>();
  const keyOf = (scope: AuditScope): string => `${scope.tenantId}\u0000${scope.auditId}`;

  function remember(scope: AuditScope, context: SiteContext): void {
    const key = keyOf(scope);
    contexts.delete(key);
    contexts.set(key, context);
    if (contexts.size > CONTEXT_CACHE_SIZE) contexts.delete(contexts.keys().next().value as string);
  }

  async function siteContext(scope: AuditScope): Promise<SiteContext> {
    const cached = contexts.get(keyOf(scope));
    if (cached) {
      remember(scope, cached);
      return cached;
    }
    const stored =
      (await fromStores(() => results.loadSiteContext(scope.tenantId, scope.auditId))) ??
      emptySiteContext(scope.siteUrl);
    remember(scope, stored);
    return stored;
  }

  return {
    siteContext,
    rememberSiteContext: remember,

    async loadRatingInputs(scope, url) {
      const collected = (
        await fromStores(() => results.loadPageFacts(scope.tenantId, scope.auditId, [url]))
      ).get(url);
      if (!collected)
        throw ApplicationFailure.nonRetryable(
          `no collected facts for ${url} in audit ${scope.auditId}`,
          'FactsMissing',
        );
      return { collected, site: await siteContext(scope) };
    },

    async recordRated(scope, result, facts) {
      await fromStores(async () => {
        await results.recordPageResults(scope, [{ result, auditedAt: new Date() }]);
        await graph.upsertPages(scope, [
          pageGraphRow(scope.siteKey, result.outcome.url, 'audited', facts, result.rating),
        ]);
      });
      return { url: result.outcome.url, level: result.rating?.level ?? '' };
    },
  };
}

/** The site context of an audit whose context was never built (no page collected). */
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

/** The outcome of a page rated from its collected facts. */
export function auditedOutcome(url: string, collected: CollectedPage): PageOutcome {
  return {
    kind: 'audited',
    url,
    finalUrl: collected.finalUrl,
    httpStatus: collected.httpStatus,
    contentHash: collected.facts.contentHash,
  };
}
