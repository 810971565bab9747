/**
 * `auditSite`: discovers a site's pages, collects (fetch + extract) each, builds the site context, rates each
 * page, and aggregates the site result. Page work runs as activities with a bounded fan-out (the audit's
 * per-host concurrency); every page ends with a recorded outcome, even when its activity fails past its retries.
 * Large sites continue as new every `activitiesPerRun` activities, carrying only URLs and counters.
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
  sleep,
  TimeoutFailure,
  workflowInfo,
} from '@temporalio/workflow';
import { installTenantPauseHandlers, withTenantPause } from '@apexseo/worker-sdk/workflow';
import type { AuditActivities, LlmRatingActivities, RatedPage } from './audit-activities-contract.js';
import { progressQuery } from './audit-queries.js';
import type {
  AuditPhase,
  AuditProgress,
  AuditSiteInput,
  AuditSiteResult,
  AuditSiteState,
  AuditScope,
} from './audit-workflow-types.js';

export { progressQuery };

const DEFAULT_ACTIVITIES_PER_RUN = 500;

// Bookkeeping activities retry without a limit (backing off to once a minute): a store outage delays an
// audit, it never drops one. Only invalid input is final.
const control = proxyActivities<AuditActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: ['InvalidAuditInput'],
  },
});
const discovery = proxyActivities<AuditActivities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 3, initialInterval: '2 seconds' },
});
const pageWork = proxyActivities<AuditActivities>({
  startToCloseTimeout: '3 minutes',
  retry: { maximumAttempts: 3, initialInterval: '1 second', backoffCoefficient: 2 },
});
// The SDK heartbeats LLM activities while they run, so a crashed worker's call is retried after the heartbeat
// timeout rather than the whole start-to-close timeout. The attempt limit bounds what a page or the tenant's
// provider can cost; failures of the platform itself do not use it up (see `ratePage`).
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

/**
 * Failure types of the platform's own parts, not of the page or the tenant's provider: the key service (down,
 * 5xx, refusing the worker's token) and the result stores (`ResultStoreUnavailable`, see llm-rating-activity.ts).
 * Together with activity timeouts (a lost worker) they delay a page's rating; they never turn it into a failure.
 */
const PLATFORM_FAILURE_TYPES: ReadonlySet<string> = new Set([
  'KeyServiceError',
  'KeyServiceUnauthorized',
  'ResultStoreUnavailable',
]);
/** Marks histories whose rating step waits out platform failures (older histories recorded the page lost). */
const PLATFORM_RETRY_PATCH = 'rate-page-waits-out-platform-failures';
/** Waits between rounds of the rating step: 15 s, 30 s, then once a minute. */
const PLATFORM_RETRY_FIRST_DELAY_MS = 15_000;
const PLATFORM_RETRY_MAX_DELAY_MS = 60_000;

interface MutableState {
  scope: AuditScope | null;
  phase: AuditPhase;
  urls: string[];
  collected: string[];
  cursor: number;
  counts: AuditSiteState['counts'];
  runs: number;
  parked: boolean;
}

export async function auditSite(input: AuditSiteInput, carried?: AuditSiteState): Promise<AuditSiteResult> {
  const state: MutableState = carried
    ? {
        ...carried,
        urls: [...carried.urls],
        collected: [...carried.collected],
        counts: { ...carried.counts },
        parked: false,
      }
    : {
        scope: null,
        phase: 'starting',
        urls: [],
        collected: [],
        cursor: 0,
        counts: { done: 0, failed: 0, skipped: 0, outsideList: 0 },
        runs: 0,
        parked: false,
      };

  setHandler(progressQuery, (): AuditProgress => ({
    auditId: input.auditId,
    phase: state.phase,
    total: state.urls.length + state.counts.outsideList,
    done: state.counts.done,
    failed: state.counts.failed,
    skipped: state.counts.skipped,
    parked: state.parked,
    runs: state.runs,
  }));
  installTenantPauseHandlers();

  const budget = { left: input.activitiesPerRun ?? DEFAULT_ACTIVITIES_PER_RUN };
  const scope = state.scope ?? (await control.beginAudit(input));
  state.scope = scope;

  if (state.phase === 'starting' || state.phase === 'discovering') {
    state.phase = 'discovering';
    try {
      const found = await discovery.discoverPages({
        scope,
        limits: input.limits,
        allowHosts: input.allowHosts ?? [],
      });
      state.urls = found.urls;
      state.counts.skipped += found.skipped;
      state.counts.outsideList += found.skipped;
    } catch (err) {
      // Discovery failed past its retries: the start URL gets the recorded error and the audit completes.
      state.urls = [];
      state.counts.outsideList++;
      await recordLostPage(scope, input.siteUrl, err, state);
    }
    state.phase = 'collecting';
    state.cursor = 0;
  }

  if (state.phase === 'collecting') {
    await forEachBounded(state, input, budget, async (url) => {
      try {
        const result = await pageWork.collectPage({ scope, url, allowHosts: input.allowHosts ?? [] });
        if (result.collected) state.collected.push(url);
        else if (result.outcome.kind === 'skipped') state.counts.skipped++;
        else state.counts.failed++;
      } catch (err) {
        await recordLostPage(scope, url, err, state);
      }
    });
    await control.buildSiteContext({ scope, urls: state.collected });
    state.phase = 'rating';
    state.cursor = 0;
  }

  if (state.phase === 'rating') {
    await forEachBounded(
      state,
      input,
      budget,
      async (url) => {
        try {
          await ratePage(input, scope, url, state);
          state.counts.done++;
        } catch (err) {
          await recordLostPage(scope, url, err, state);
        }
      },
      state.collected,
    );
    state.phase = 'finalizing';
  }

  const result = await control.finalizeAudit({ scope });
  state.phase = 'completed';
  return result;
}

/** Runs `work` over the phase's URLs from the cursor, `concurrencyPerHost` at a time; continues as new when the run's budget is spent. */
async function forEachBounded(
  state: MutableState,
  input: AuditSiteInput,
  budget: { left: number },
  work: (url: string) => Promise<void>,
  list: string[] = state.urls,
): Promise<void> {
  const width = Math.max(1, Math.min(input.limits.concurrencyPerHost, 32));
  while (state.cursor < list.length) {
    if (budget.left <= 0 || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof auditSite>(input, snapshot(state));
    }
    const batch = list.slice(state.cursor, state.cursor + Math.min(width, Math.max(1, budget.left)));
    await Promise.all(batch.map((url) => work(url)));
    state.cursor += batch.length;
    budget.left -= batch.length;
  }
}

function snapshot(state: MutableState): AuditSiteState {
  if (!state.scope)
    throw ApplicationFailure.nonRetryable('audit scope missing before continue-as-new', 'InternalState');
  return {
    scope: state.scope,
    phase: state.phase,
    urls: state.urls,
    collected: state.collected,
    cursor: state.cursor,
    counts: state.counts,
    runs: state.runs + 1,
  };
}

async function ratePage(
  input: AuditSiteInput,
  scope: AuditScope,
  url: string,
  state: MutableState,
): Promise<RatedPage> {
  if (input.scoring !== 'llm') return pageWork.ratePageHeuristic({ scope, url });
  const provider = input.provider ?? 'openai';
  for (let round = 1; ; round++) {
    try {
      return await withTenantPause({ tenantId: input.tenantId, provider }, async () => {
        state.parked = false;
        try {
          return await llmWork.ratePageLlm({
            tenantId: input.tenantId,
            plan: input.plan,
            provider,
            scope,
            url,
          });
        } catch (err) {
          state.parked = isPause(err);
          throw err;
        }
      });
    } catch (err) {
      // The step's attempts ran out on a platform outage (e.g. a worker crash used one attempt and the key
      // service was down for the others): wait on a durable timer and run the step again with fresh attempts.
      if (!isPlatformFailure(err) || !patched(PLATFORM_RETRY_PATCH)) throw err;
      await sleep(Math.min(PLATFORM_RETRY_MAX_DELAY_MS, PLATFORM_RETRY_FIRST_DELAY_MS * 2 ** (round - 1)));
    }
  }
}

/** True when the step's last failure is the platform's (lost worker, key service, result store). */
function isPlatformFailure(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof TimeoutFailure) return true;
    if (e instanceof ApplicationFailure) return e.type != null && PLATFORM_FAILURE_TYPES.has(e.type);
  }
  return false;
}

function isPause(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof ApplicationFailure && e.type === 'TenantPaused') return true;
  }
  return false;
}

/** A page whose activity failed past its retries still gets an outcome: `error: internal` with the cause. */
async function recordLostPage(
  scope: AuditScope,
  url: string,
  err: unknown,
  state: MutableState,
): Promise<void> {
  const detail =
    err instanceof Error
      ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}`
      : 'unknown failure';
  await control.recordPageError({ scope, url, detail: detail.slice(0, 500) });
  state.counts.failed++;
}
