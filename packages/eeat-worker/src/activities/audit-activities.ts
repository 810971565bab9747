/**
 * The audit's activities. Each one is idempotent: it writes rows and nodes keyed by tenant, audit and page, so
 * Temporal may retry it (or a whole audit may be re-run) without duplicating results. Bad pages never throw:
 * they end as recorded outcomes. Unexpected failures throw and are retried; past the retries the workflow
 * records `error: internal` for the page through `recordPageError`. Store calls of the page steps go through
 * `fromStores`, so a store outage fails an attempt as `ResultStoreUnavailable`, which the workflow waits out
 * instead of recording the page as failed; page steps heartbeat (the SDK's `heartbeatWhileRunning`) so a lost worker is noticed fast.
 */
import { heartbeatWhileRunning } from '@apexseo/worker-sdk';
import { setTimeout } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { z } from 'zod';
import { ApplicationFailure } from '@temporalio/common';
import {
  ErrorReasonSchema,
  SkipReasonSchema,
  type FailedPageOutcome,
  type PageAuditResult,
  type PageFacts,
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
import type {
  AuditLimits,
  AuditSiteResult,
  CollectResult,
  RangeTally,
} from '../workflows/audit-workflow-types.js';
import { causeOf } from '../workflows/failure-cause.js';
import { PLATFORM_FAILURE_TYPES } from '../workflows/platform-failure-types.js';
import type { SiteContextPage } from '../extract/site-context.js';
import type { AuditPageList, ListedPage } from '../storage/clickhouse/audit-page-list.js';
import { PageTooComplexError } from '../analysis/page-analysis-pool.js';
import type { AuditEngine, DiscoveryOutcome } from './audit-engine.js';
import { AuditSiteInputSchema, describeIssues } from './audit-input-schema.js';
import { fromStores } from './result-store-access.js';
import { auditedOutcome, type PageRatingStore } from './page-rating-store.js';

export interface AuditActivityDeps {
  readonly engine: AuditEngine;
  readonly results: PageResultsStore;
  readonly pageList: AuditPageList;
  readonly graph: SiteGraphStore;
  /** Shared with the LLM rating step: the site context cache, the rating inputs and the rated page's record. */
  readonly ratings: PageRatingStore;
}

const FACTS_CHUNK = 200;
/** Attempts per page inside a page-range step, and the wait before the second (doubling after). */
const PAGE_ATTEMPTS = 3;
const PAGE_RETRY_MS = 1_000;
/** Pages of a range step written together. */
const WRITE_BATCH = 25;

export function createAuditActivities(deps: AuditActivityDeps): AuditActivities {
  const { engine, results, pageList, graph, ratings } = deps;

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

  /** Discovers the audit's site inside an activity: heartbeating as it goes, stopping when the activity is cancelled. */
  function discoverSite(
    scope: AuditScope,
    limits: AuditLimits,
    allowHosts: readonly string[],
  ): Promise<DiscoveryOutcome> {
    const ctx = Context.current();
    return engine.discover(scope.siteUrl, limits, {
      allowHosts,
      heartbeat: () => ctx.heartbeat(),
      signal: ctx.cancellationSignal,
    });
  }

  /**
   * Runs `work` for every page of a range of the audit's page list, each page with its own attempts, `concurrency`
   * pages at a time in a sliding window (a slow page holds one slot, not the range), and writes what the pages
   * produced in batches of `WRITE_BATCH` (one ClickHouse insert and one Neo4j transaction per batch instead of per
   * page). A page counts as finished once its batch is written. A platform failure (a result store down) fails the
   * whole step, which the workflow waits out and runs again: pages finished before it travel in the heartbeat
   * details and are skipped.
   */
  async function forRange(
    scope: AuditScope,
    pages: readonly ListedPage[],
    concurrency: number,
    work: (page: ListedPage, signal: AbortSignal) => Promise<PageWork>,
  ): Promise<RangeTally> {
    const ctx = Context.current();
    const signal = ctx.cancellationSignal;
    const previous = RangeProgressSchema.safeParse(ctx.info.heartbeatDetails);
    const progress: RangeProgress = previous.success
      ? previous.data
      : { finished: [], tally: { collected: 0, audited: 0, skipped: 0, failed: 0 } };
    const finished = new Set(progress.finished);
    const pending = pages.filter((p) => !finished.has(p.seq));
    const unwritten: PageWork[] = [];
    let writing: Promise<void> = Promise.resolve();
    // One batch written at a time, in order; a failed write fails every later one, so the step fails.
    const flush = (): Promise<void> => {
      writing = writing.then(async () => {
        const batch = unwritten.splice(0);
        if (batch.length === 0) return;
        await writePageWork(scope, batch);
        for (const done of batch) {
          progress.finished.push(done.seq);
          progress.tally[done.tally]++;
        }
      });
      return writing;
    };
    return heartbeatWhileRunning(
      async () => {
        let next = 0;
        const lane = async (): Promise<void> => {
          for (let page = pending[next++]; page !== undefined; page = pending[next++]) {
            unwritten.push(await withPageAttempts(page, () => work(page, signal), signal));
            if (unwritten.length >= WRITE_BATCH) await flush();
          }
        };
        const width = Math.max(1, Math.min(concurrency, 32, pending.length));
        await Promise.all(Array.from({ length: width }, lane));
        await flush();
        return progress.tally;
      },
      () => progress,
    );
  }

  /** Runs one page's work with its own attempts; past them the page's outcome is `error: internal`, the cause. */
  async function withPageAttempts(
    page: ListedPage,
    work: () => Promise<PageWork>,
    signal: AbortSignal,
  ): Promise<PageWork> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        if (isPlatformFailure(err) || signal.aborted) throw err;
        if (attempt >= PAGE_ATTEMPTS) return lostPage(page, err);
        await setTimeout(PAGE_RETRY_MS * 2 ** (attempt - 1), undefined, { signal }).catch(() => undefined);
      }
    }
  }

  /** Writes a batch of a range step: stored facts, rated pages and failed outcomes, each kind in one request. */
  async function writePageWork(scope: AuditScope, batch: readonly PageWork[]): Promise<void> {
    const facts = batch.flatMap((w) => (w.facts ? [w.facts] : []));
    const rated = batch.flatMap((w) => (w.rated ? [w.rated] : []));
    await fromStores(async () => {
      await results.recordPageFactsMany(scope, facts);
      await results.recordPageResults(
        scope,
        rated.map(({ result }) => ({ result, auditedAt: new Date() })),
      );
      await graph.upsertPages(
        scope,
        rated.map(({ result, facts: f }) =>
          pageGraphRow(scope.siteKey, result.outcome.url, 'audited', f, result.rating),
        ),
      );
    });
    await recordOutcomes(
      scope,
      batch.flatMap((w) => (w.outcome ? [w.outcome] : [])),
    );
  }

  return {
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
        const found = await discoverSite(scope, limits, allowHosts);
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
        ratings.rememberSiteContext(scope, context);
        return { pages: facts.length };
      });
    },

    async ratePageHeuristic({ scope, url }) {
      return heartbeatWhileRunning(async (): Promise<RatedPage> => {
        const { collected, site } = await ratings.loadRatingInputs(scope, url);
        let rating;
        try {
          rating = await engine.rateHeuristic(collected.facts, site);
        } catch (err) {
          if (!(err instanceof PageTooComplexError)) throw err;
          await recordOutcomes(scope, [err.outcome(url)]);
          return { url, level: '', failed: true };
        }
        return ratings.recordRated(
          scope,
          { outcome: auditedOutcome(url, collected), rating },
          collected.facts,
        );
      });
    },

    async discoverPageList({ scope, limits, allowHosts }) {
      return heartbeatWhileRunning(async () => {
        const ctx = Context.current();
        const found = await discoverSite(scope, limits, allowHosts);
        await fromStores(() => pageList.write(scope, 0, found.urls, () => ctx.heartbeat()));
        await recordOutcomes(scope, found.skipped);
        return { pages: found.urls.length, skipped: found.skipped.length };
      });
    },

    async collectPageRange({ scope, from, count, concurrency, allowHosts }) {
      const pages = await fromStores(() =>
        pageList.read(scope.tenantId, scope.auditId, { from, to: from + count }),
      );
      return forRange(scope, pages, concurrency, async (page, signal): Promise<PageWork> => {
        const collected = await engine.collect(page.url, { siteUrl: scope.siteUrl, allowHosts, signal });
        if (!collected.ok) {
          const tally = collected.outcome.kind === 'skipped' ? 'skipped' : 'failed';
          return { seq: page.seq, tally, outcome: collected.outcome };
        }
        // Stored under the listed URL, so the rating step finds them by the URL the list holds.
        const { facts, finalUrl, httpStatus } = collected;
        return {
          seq: page.seq,
          tally: 'collected',
          facts: { facts: { ...facts, url: page.url }, finalUrl, httpStatus },
        };
      });
    },

    async ratePageRange({ scope, from, count, concurrency }) {
      const pages = await fromStores(() =>
        pageList.read(scope.tenantId, scope.auditId, { from, to: from + count }, 'collected'),
      );
      // The range's facts in one read, the site context once (cached per worker).
      const facts = await fromStores(() =>
        results.loadPageFacts(
          scope.tenantId,
          scope.auditId,
          pages.map((p) => p.url),
        ),
      );
      const site = await ratings.siteContext(scope);
      return forRange(scope, pages, concurrency, async (page): Promise<PageWork> => {
        const collected = facts.get(page.url);
        if (!collected)
          throw ApplicationFailure.nonRetryable(
            `no collected facts for ${page.url} in audit ${scope.auditId}`,
            'FactsMissing',
          );
        let rating;
        try {
          rating = await engine.rateHeuristic(collected.facts, site);
        } catch (err) {
          // Past its analysis budget: the page's recorded outcome, on this first attempt.
          if (!(err instanceof PageTooComplexError)) throw err;
          return { seq: page.seq, tally: 'failed', outcome: err.outcome(page.url) };
        }
        const result = { outcome: auditedOutcome(page.url, collected), rating };
        return { seq: page.seq, tally: 'audited', rated: { result, facts: collected.facts } };
      });
    },

    async listedPages({ scope, from, count, filter }) {
      const pages = await fromStores(() =>
        pageList.read(scope.tenantId, scope.auditId, { from, to: from + count }, filter),
      );
      return pages.map((p) => p.url);
    },

    async recordUnfinishedPages({ scope, from, count, step, detail }) {
      const filter = step === 'collect' ? 'uncollected' : 'unrated';
      const pages = await pageList.read(scope.tenantId, scope.auditId, { from, to: from + count }, filter);
      await recordOutcomes(
        scope,
        pages.map((p) => ({ kind: 'error', url: p.url, reason: 'internal', detail })),
      );
      return pages.length;
    },

    async buildSiteContextFromStore({ scope }) {
      return heartbeatWhileRunning(async () => {
        const facts: SiteContextPage[] = [];
        // Only what the site context reads is kept: a page's texts are dropped as soon as it is read.
        await fromStores(() =>
          results.forEachPageFacts(scope.tenantId, scope.auditId, (collected) => {
            facts.push(siteContextPage(collected.facts));
          }),
        );
        const context = engine.siteContext(scope.siteUrl, facts);
        await results.saveSiteContext(scope, context);
        ratings.rememberSiteContext(scope, context);
        return { pages: facts.length };
      });
    },

    async recordPageError({ scope, url, detail, reason }) {
      await recordOutcomes(scope, [{ kind: 'error', url, reason: reason ?? 'internal', detail }]);
    },

    async finalizeAudit({ scope }): Promise<AuditSiteResult> {
      return heartbeatWhileRunning(async () => {
        const rows = await results.auditPages(scope.tenantId, scope.auditId);
        const pages = rows.map(toPageAuditResult);
        const site = await ratings.siteContext(scope);
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
      });
    },
  };
}

/** What one page of a range step produced, written with its batch. */
interface PageWork {
  readonly seq: number;
  readonly tally: keyof RangeTally;
  readonly facts?: CollectedPage;
  readonly rated?: { result: PageAuditResult; facts: PageFacts };
  readonly outcome?: FailedPageOutcome;
}

function lostPage(page: ListedPage, err: unknown): PageWork {
  return {
    seq: page.seq,
    tally: 'failed',
    outcome: { kind: 'error', url: page.url, reason: 'internal', detail: causeOf(err) },
  };
}

const RangeProgressSchema = z.object({
  finished: z.array(z.number().int()),
  tally: z.object({
    collected: z.number().int(),
    audited: z.number().int(),
    skipped: z.number().int(),
    failed: z.number().int(),
  }),
});
type RangeProgress = z.infer<typeof RangeProgressSchema>;

function isPlatformFailure(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause)
    if (e instanceof ApplicationFailure) return e.type != null && PLATFORM_FAILURE_TYPES.has(e.type);
  return false;
}

/** The slice of a page's facts the site context reads (no texts, headings or citations). */
function siteContextPage(facts: PageFacts): SiteContextPage {
  return {
    url: facts.url,
    pageKind: facts.pageKind,
    h1: facts.h1.slice(0, 1),
    siteLinks: facts.siteLinks,
    contact: facts.contact,
    authors: facts.authors,
    publisher: facts.publisher,
    wordCount: facts.wordCount,
    minhash: facts.minhash,
    contentHash: facts.contentHash,
    dates: facts.dates,
    citedDomains: facts.citedDomains.slice(0, 1),
    jsonLdTypes: facts.jsonLdTypes,
    https: facts.https,
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
