/**
 * The audit as released before the page list moved to ClickHouse: it carries every URL (`urls`, `collected`) in
 * workflow state and across continue-as-new, and works in lock-step batches of per-page activities. Kept unchanged
 * so audits recorded by that code (histories without the `page-list-in-store` marker, and their continued runs)
 * replay and finish exactly as they started; `auditSite` sends them here. Remove once no such audit runs.
 */
import {
  ApplicationFailure,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { installTenantPauseHandlers, withTenantPause } from '@apexseo/worker-sdk/workflow';
import type { AuditActivities, LlmRatingActivities, RatedPage } from './audit-activities-contract.js';
import type { auditSite } from './audit-site-workflow.js';
import { progressQuery } from './audit-queries.js';
import { llmStepWaitsOut, untilPlatformRecovers } from './platform-outages.js';
import type {
  AuditPhase,
  AuditProgress,
  AuditSiteInput,
  AuditSiteResult,
  AuditSiteState,
  AuditScope,
} from './audit-workflow-types.js';

const DEFAULT_ACTIVITIES_PER_RUN = 500;

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
// Building the site context reads every collected page's facts in chunks and heartbeats per chunk: a large site
// may take minutes, which must not read as a timeout retried forever; a lost worker is noticed within a minute.
const contextWork = proxyActivities<AuditActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: BOOKKEEPING_RETRY,
});
// Page steps: the attempt limit bounds what a page, its site or the tenant's provider can cost; failures of the
// platform itself do not use it up (`untilPlatformRecovers`). Every page step heartbeats while it runs, so a lost
// worker shows as a heartbeat timeout after seconds rather than the whole start-to-close timeout.
const discovery = proxyActivities<AuditActivities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 3, initialInterval: '2 seconds' },
});
// A collection is one fetch, capped at 30 s by the fetcher (connect, headers and idle body timers inside a 30 s
// total deadline), plus its store writes, each capped by its client (ClickHouse requests at 30 s, Neo4j connection
// acquisition and transaction retries at 30 s each). A live worker heartbeats every 5 s, so a lost one is noticed
// after the 30 s heartbeat timeout; the start-to-close timeout only bounds an attempt that overran every cap.
const pageWork = proxyActivities<AuditActivities>({
  startToCloseTimeout: '3 minutes',
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
  urls: string[];
  collected: string[];
  cursor: number;
  counts: AuditSiteState['counts'];
  runs: number;
  parked: boolean;
}

export async function auditSiteWithCarriedUrls(
  input: AuditSiteInput,
  carried?: AuditSiteState,
): Promise<AuditSiteResult> {
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
      const found = await untilPlatformRecovers(() =>
        discovery.discoverPages({ scope, limits: input.limits, allowHosts: input.allowHosts ?? [] }),
      );
      state.urls = found.urls;
      state.counts.skipped += found.skipped;
      state.counts.outsideList += found.skipped;
    } catch (err) {
      // Discovery failed past its retries on the site: the start URL gets the recorded error and the audit completes.
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
        const result = await untilPlatformRecovers(() =>
          pageWork.collectPage({ scope, url, allowHosts: input.allowHosts ?? [] }),
        );
        if (result.collected) state.collected.push(url);
        else if (result.outcome.kind === 'skipped') state.counts.skipped++;
        else state.counts.failed++;
      } catch (err) {
        await recordLostPage(scope, url, err, state);
      }
    });
    await contextWork.buildSiteContext({ scope, urls: state.collected });
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
  if (input.scoring !== 'llm') return untilPlatformRecovers(() => pageWork.ratePageHeuristic({ scope, url }));
  const provider = input.provider ?? 'openai';
  return untilPlatformRecovers(
    () =>
      withTenantPause({ tenantId: input.tenantId, provider }, async () => {
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
      }),
    llmStepWaitsOut,
  );
}

function isPause(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof ApplicationFailure && e.type === 'TenantPaused') return true;
  }
  return false;
}

/** A page whose step failed past its retries for a reason of its own gets an outcome: `error: internal`, the cause. */
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
