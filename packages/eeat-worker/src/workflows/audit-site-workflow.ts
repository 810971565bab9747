/**
 * `auditSite`: discovers a site's pages, collects (fetch + extract) each, builds the site context, rates each
 * page, and aggregates the site result. Every page ends with a recorded outcome, even when its step fails past its
 * retries. Page steps run through `untilPlatformRecovers`: an outage of the platform (lost worker, key service,
 * result stores) delays a page, it never fails one.
 *
 * Nothing the workflow holds grows with the site: discovery stores the pages to audit as the audit's page list in
 * ClickHouse, and the workflow walks that list by position. Collection and heuristic rating run as range steps (one
 * activity per `PAGES_PER_STEP` listed pages, each page with its own attempts and recorded outcome, a sliding
 * window of `concurrencyPerHost` pages inside); LLM rating runs one activity per page (the tenant's key and pause
 * are per call) in a sliding window over bounded reads of the list. Continue-as-new carries cursors and counters.
 *
 * Re-running the same audit id is safe: the start time is fixed by the first run and every row and node is keyed
 * by tenant, audit and page, so a re-run overwrites rather than duplicates.
 */
import {
  ApplicationFailure,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { installTenantPauseHandlers, withTenantPause } from '@apexseo/worker-sdk/workflow';
import type { AuditActivities, LlmRatingActivities, RatedPage } from './audit-activities-contract.js';
import { progressQuery } from './audit-queries.js';
import { auditSiteWithCarriedUrls } from './audit-site-carried-urls.js';
import { llmStepWaitsOut, untilPlatformRecovers } from './platform-outages.js';
import { causeOf } from './failure-cause.js';
import { PAGE_STOPS_WORKERS } from './platform-failure-types.js';
import type {
  AuditListState,
  AuditPhase,
  AuditProgress,
  AuditSiteInput,
  AuditSiteResult,
  AuditSiteState,
  AuditScope,
  RangeTally,
} from './audit-workflow-types.js';

export { progressQuery };

/**
 * Marks histories of audits that keep their page list in ClickHouse. Histories without it (and runs continued from
 * them, which carry `urls`) were recorded by the earlier workflow and finish on it.
 */
const PAGE_LIST_PATCH = 'page-list-in-store';

/** Activities (range steps count one each) per run before the workflow continues as new. */
const DEFAULT_ACTIVITIES_PER_RUN = 500;
/** Listed pages per collection or heuristic rating step, and per read of the list for LLM rating. */
export const PAGES_PER_STEP = 100;

// Bookkeeping activities retry without a limit (backing off to once a minute): a store outage delays an
// audit, it never drops one. Only invalid input is final.
const BOOKKEEPING_RETRY = {
  initialInterval: '1 second',
  maximumInterval: '1 minute',
  nonRetryableErrorTypes: ['InvalidAuditInput'],
};
const control = proxyActivities<AuditActivities>({
  startToCloseTimeout: '1 minute',
  retry: BOOKKEEPING_RETRY,
});
// Building the site context and aggregating the site result read every page's stored rows and heartbeat while they
// run: a large site may take minutes, which must not read as a timeout retried forever; a lost worker is noticed
// within a minute.
const contextWork = proxyActivities<AuditActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: BOOKKEEPING_RETRY,
});
const discovery = proxyActivities<AuditActivities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 3, initialInterval: '2 seconds' },
});
// A range step: up to PAGES_PER_STEP pages, `concurrencyPerHost` at a time, each bounded by the fetcher's 30 s cap
// and its store clients' timeouts, with up to 3 attempts of its own. It heartbeats every 5 s with the pages it
// finished, so a lost worker is noticed after 30 s and the next attempt skips what was done. The start-to-close
// timeout only bounds a step that overran every cap.
const rangeWork = proxyActivities<AuditActivities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '30 seconds',
  retry: { maximumAttempts: 3, initialInterval: '1 second', backoffCoefficient: 2 },
});
// The SDK heartbeats LLM activities while they run.
const llmWork = proxyActivities<LlmRatingActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: {
    maximumAttempts: 4,
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    nonRetryableErrorTypes: ['TenantPaused', 'KeyNotFound'],
  },
});

interface MutableState {
  scope: AuditScope | null;
  phase: AuditPhase;
  pages: number;
  cursor: number;
  counts: AuditListState['counts'];
  runs: number;
  /** LLM steps parked on the tenant's pause right now (the rating window runs several at once). */
  parkedSteps: number;
}

export async function auditSite(
  input: AuditSiteInput,
  carried?: AuditListState | AuditSiteState,
): Promise<AuditSiteResult> {
  if (carried && 'urls' in carried) return auditSiteWithCarriedUrls(input, carried);
  if (!carried && !patched(PAGE_LIST_PATCH)) return auditSiteWithCarriedUrls(input);
  return auditFromPageList(input, carried);
}

async function auditFromPageList(input: AuditSiteInput, carried?: AuditListState): Promise<AuditSiteResult> {
  const state: MutableState = carried
    ? { ...carried, counts: { ...carried.counts }, parkedSteps: 0 }
    : {
        scope: null,
        phase: 'starting',
        pages: 0,
        cursor: 0,
        counts: { done: 0, failed: 0, skipped: 0, outsideList: 0 },
        runs: 0,
        parkedSteps: 0,
      };

  setHandler(progressQuery, (): AuditProgress => ({
    auditId: input.auditId,
    phase: state.phase,
    total: state.pages + state.counts.outsideList,
    done: state.counts.done,
    failed: state.counts.failed,
    skipped: state.counts.skipped,
    parked: state.parkedSteps > 0,
    runs: state.runs,
  }));
  installTenantPauseHandlers();

  const budget = { left: input.activitiesPerRun ?? DEFAULT_ACTIVITIES_PER_RUN };
  const scope = state.scope ?? (await control.beginAudit(input));
  state.scope = scope;
  const width = Math.max(1, Math.min(input.limits.concurrencyPerHost, 32));
  const allowHosts = input.allowHosts ?? [];

  if (state.phase === 'starting' || state.phase === 'discovering') {
    state.phase = 'discovering';
    try {
      const found = await untilPlatformRecovers(() =>
        discovery.discoverPageList({ scope, limits: input.limits, allowHosts }),
      );
      state.pages = found.pages;
      state.counts.skipped += found.skipped;
      state.counts.outsideList += found.skipped;
    } catch (err) {
      // Discovery failed past its retries on the site: the start URL gets the recorded error and the audit completes.
      state.pages = 0;
      state.counts.outsideList++;
      await recordLostPage(scope, input.siteUrl, err, state);
    }
    state.phase = 'collecting';
    state.cursor = 0;
  }

  if (state.phase === 'collecting') {
    await forEachRange(state, input, budget, async (from, count) => {
      const tally = await rangeStep(scope, from, count, 'collect', () =>
        rangeWork.collectPageRange({ scope, from, count, concurrency: width, allowHosts }),
      );
      state.counts.skipped += tally.skipped;
      state.counts.failed += tally.failed;
    });
    await contextWork.buildSiteContextFromStore({ scope });
    state.phase = 'rating';
    state.cursor = 0;
  }

  if (state.phase === 'rating') {
    await forEachRange(state, input, budget, async (from, count) => {
      if (input.scoring === 'llm') {
        const urls = await control.listedPages({ scope, from, count, filter: 'collected' });
        await slidingWindow(urls, width, async (url) => {
          try {
            await rateWithLlm(input, scope, url, state);
            state.counts.done++;
          } catch (err) {
            await recordLostPage(scope, url, err, state);
          }
        });
        budget.left -= urls.length;
        return;
      }
      const tally = await rangeStep(scope, from, count, 'rate', () =>
        rangeWork.ratePageRange({ scope, from, count, concurrency: width }),
      );
      state.counts.done += tally.audited;
      state.counts.failed += tally.failed;
    });
    state.phase = 'finalizing';
  }

  // Aggregating reads every page's result: on a large site that takes minutes, like the site context.
  const result = await contextWork.finalizeAudit({ scope });
  state.phase = 'completed';
  return result;
}

/**
 * Runs `work` over the current phase's page list from the cursor, one range of `PAGES_PER_STEP` positions at a
 * time; continues as new (cursors and counters only) when the run's activity budget is spent or Temporal suggests it.
 */
async function forEachRange(
  state: MutableState,
  input: AuditSiteInput,
  budget: { left: number },
  work: (from: number, count: number) => Promise<void>,
): Promise<void> {
  while (state.cursor < state.pages) {
    if (budget.left <= 0 || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof auditSite>(input, snapshot(state));
    }
    const count = Math.min(PAGES_PER_STEP, state.pages - state.cursor);
    await work(state.cursor, count);
    state.cursor += count;
    budget.left -= 1;
  }
}

/**
 * A range step until the platform lets it finish. If it fails past its attempts for another reason (it overran
 * its timeout), the range's pages still without an outcome are recorded as `error: internal`.
 */
async function rangeStep(
  scope: AuditScope,
  from: number,
  count: number,
  step: 'collect' | 'rate',
  run: () => Promise<RangeTally>,
): Promise<RangeTally> {
  try {
    return await untilPlatformRecovers(run);
  } catch (err) {
    const failed = await control.recordUnfinishedPages({ scope, from, count, step, detail: causeOf(err) });
    return { collected: 0, audited: 0, skipped: 0, failed };
  }
}

/** Runs `work` over `items`, at most `width` at a time, starting the next as soon as any one finishes. */
async function slidingWindow<T>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let item = items[next++]; item !== undefined; item = items[next++]) await work(item);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
}

function snapshot(state: MutableState): AuditListState {
  if (!state.scope)
    throw ApplicationFailure.nonRetryable('audit scope missing before continue-as-new', 'InternalState');
  return {
    scope: state.scope,
    phase: state.phase,
    pages: state.pages,
    cursor: state.cursor,
    counts: state.counts,
    runs: state.runs + 1,
  };
}

async function rateWithLlm(
  input: AuditSiteInput,
  scope: AuditScope,
  url: string,
  state: MutableState,
): Promise<RatedPage> {
  const provider = input.provider ?? 'openai';
  return untilPlatformRecovers(
    () =>
      withTenantPause(
        { tenantId: input.tenantId, provider },
        () => llmWork.ratePageLlm({ tenantId: input.tenantId, plan: input.plan, provider, scope, url }),
        {
          onParked: () => {
            state.parkedSteps++;
          },
          onResumed: () => {
            state.parkedSteps--;
          },
        },
      ),
    llmStepWaitsOut,
  );
}

/** A page whose step failed past its retries for a reason of its own gets an outcome: `error: internal`, the cause. */
async function recordLostPage(
  scope: AuditScope,
  url: string,
  err: unknown,
  state: MutableState,
): Promise<void> {
  const stopsWorkers = err instanceof ApplicationFailure && err.type === PAGE_STOPS_WORKERS;
  await control.recordPageError({
    scope,
    url,
    detail: causeOf(err),
    ...(stopsWorkers ? { reason: 'too_complex' as const } : {}),
  });
  state.counts.failed++;
}
