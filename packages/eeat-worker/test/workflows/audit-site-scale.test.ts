import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditScope } from '../../src/storage/audit-scope.js';
import type { AuditActivities, LlmRatingActivities } from '../../src/workflows/audit-activities-contract.js';
import { progressQuery } from '../../src/workflows/audit-queries.js';
import { auditSite, PAGES_PER_STEP } from '../../src/workflows/audit-site-workflow.js';
import type {
  AuditSiteInput,
  AuditSiteResult,
  AuditSiteState,
  RangeTally,
} from '../../src/workflows/audit-workflow-types.js';
import { runHistories, type RunHistory } from '../support/audit-history.js';
import {
  createStubWorker,
  stubBeginAudit,
  useTestWorkflowEnvironment,
} from '../support/stub-workflow-env.js';

/**
 * The real `auditSite` workflow code on the harness's Temporal dev server (through Temporal's test environment),
 * with stub activities standing in for the stores and the site: audits of up to 100,000 listed pages, checking that
 * every page of the list is collected and rated exactly once across continue-as-new, and that no event (so no
 * payload) and no run's history grows with the site.
 */

/** Temporal's limits: 2 MB per payload, 50,000 events and 50 MB per history. These bounds sit far below them. */
const MAX_EVENT_BYTES = 16 * 1024;
const MAX_RUN_EVENTS = 5_000;
const MAX_RUN_BYTES = 2 * 1024 * 1024;
const SKIPPED_BY_DISCOVERY = 3;

/** What a stub page does when collected: most are collected; some are skipped (not HTML) or fail (HTTP 500). */
function pageFate(seq: number): 'collected' | 'skipped' | 'failed' {
  if (seq % 20 === 7) return 'skipped';
  if (seq % 50 === 13) return 'failed';
  return 'collected';
}

function expectedCounts(pages: number): AuditSiteResult['counts'] {
  const counts = {
    total: pages + SKIPPED_BY_DISCOVERY,
    audited: 0,
    skipped: SKIPPED_BY_DISCOVERY,
    failed: 0,
  };
  for (let seq = 0; seq < pages; seq++) {
    const fate = pageFate(seq);
    if (fate === 'collected') counts.audited++;
    else counts[fate]++;
  }
  return counts;
}

/** Stub activities over a virtual page list of `pages` positions, recording how often each position was worked on. */
function stubActivities(pages: number) {
  const collectedTimes = new Uint8Array(pages);
  const ratedTimes = new Uint8Array(pages);
  const legacyCalls: string[] = [];
  const llm = { inFlight: 0, maxInFlight: 0, calls: 0 };
  let contextPages = 0;

  const range = (from: number, count: number, times: Uint8Array, rating: boolean): RangeTally => {
    const tally = { collected: 0, audited: 0, skipped: 0, failed: 0 };
    for (let seq = from; seq < from + count; seq++) {
      const fate = pageFate(seq);
      if (rating) {
        if (fate !== 'collected') continue;
        times[seq]!++;
        tally.audited++;
      } else {
        times[seq]!++;
        tally[fate]++;
      }
    }
    return tally;
  };

  const activities: AuditActivities & LlmRatingActivities = {
    beginAudit: stubBeginAudit('scale.example'),
    discoverPageList: () => Promise.resolve({ pages, skipped: SKIPPED_BY_DISCOVERY }),
    collectPageRange: ({ from, count }) => Promise.resolve(range(from, count, collectedTimes, false)),
    buildSiteContextFromStore: () => {
      contextPages = collectedTimes.reduce(
        (n, t, seq) => n + (t > 0 && pageFate(seq) === 'collected' ? 1 : 0),
        0,
      );
      return Promise.resolve({ pages: contextPages });
    },
    ratePageRange: ({ from, count }) => Promise.resolve(range(from, count, ratedTimes, true)),
    listedPages: ({ from, count, filter }) => {
      const urls: string[] = [];
      for (let seq = from; seq < Math.min(pages, from + count); seq++)
        if (filter !== 'collected' || pageFate(seq) === 'collected')
          urls.push(`https://scale.example/p/${seq}`);
      return Promise.resolve(urls);
    },
    ratePageLlm: async ({ url }) => {
      llm.calls++;
      llm.inFlight++;
      llm.maxInFlight = Math.max(llm.maxInFlight, llm.inFlight);
      const seq = Number(url.split('/').at(-1));
      ratedTimes[seq]!++;
      // Pages take different times, so a sliding window and a lock-step batch would behave differently.
      await new Promise((resolve) => setTimeout(resolve, seq % 4 === 0 ? 120 : 5));
      llm.inFlight--;
      return { url, level: 'medium' };
    },
    recordUnfinishedPages: () => Promise.resolve(0),
    recordPageError: () => Promise.resolve(),
    finalizeAudit: ({ scope }: { scope: AuditScope }) =>
      Promise.resolve({
        auditId: scope.auditId,
        tenantId: scope.tenantId,
        siteUrl: scope.siteUrl,
        counts: expectedCounts(pages),
        medianLevel: 'medium' as const,
      }),
    // The earlier workflow's steps, used only by audits it started (carried `urls`).
    discoverPages: () => Promise.reject(new Error('not used by this test')),
    collectPage: ({ url }) => {
      legacyCalls.push(`collect ${url}`);
      return Promise.resolve({ url, collected: true as const });
    },
    buildSiteContext: ({ urls }) => {
      legacyCalls.push(`context ${urls.length}`);
      return Promise.resolve({ pages: urls.length });
    },
    ratePageHeuristic: ({ url }) => {
      legacyCalls.push(`rate ${url}`);
      return Promise.resolve({ url, level: 'medium' });
    },
  };
  return { activities, collectedTimes, ratedTimes, legacyCalls, llm, contextPages: () => contextPages };
}

describe('auditSite at scale (stub activities, real workflow code)', () => {
  const testEnv = useTestWorkflowEnvironment();

  async function audit(
    pages: number,
    overrides: Partial<AuditSiteInput> = {},
    carried?: AuditSiteState,
  ): Promise<{
    result: AuditSiteResult;
    runs: RunHistory[];
    stubs: ReturnType<typeof stubActivities>;
    progress: Awaited<ReturnType<typeof queryProgress>>;
  }> {
    const env = testEnv();
    const stubs = stubActivities(pages);
    const { worker, taskQueue } = await createStubWorker(env, 'scale', stubs.activities, {
      maxConcurrentActivityTaskExecutions: 64,
    });
    const input: AuditSiteInput = {
      tenantId: 'scale-tenant',
      plan: 'ltd',
      auditId: `audit-${randomUUID()}`,
      siteUrl: 'https://scale.example/',
      limits: { pages, depth: 3, concurrencyPerHost: 4 },
      scoring: 'heuristic',
      ...overrides,
    };
    const workflowId = `eeat-audit:scale-tenant:${input.auditId}`;
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start(auditSite, {
        taskQueue,
        workflowId,
        args: carried ? [input, carried] : [input],
      });
      const result = await handle.result();
      const progress = await queryProgress(workflowId);
      return {
        result,
        runs: await runHistories(env.client, workflowId, handle.firstExecutionRunId),
        stubs,
        progress,
      };
    });
  }

  function queryProgress(workflowId: string) {
    return testEnv().client.workflow.getHandle(workflowId).query(progressQuery);
  }

  function expectBounded(runs: readonly RunHistory[]): void {
    for (const run of runs) {
      expect(run.largestEventBytes, `largest event of run ${run.runId}`).toBeLessThan(MAX_EVENT_BYTES);
      expect(run.largestPayloadBytes, `largest payload of run ${run.runId}`).toBeLessThan(MAX_EVENT_BYTES);
      expect(run.events.length, `events of run ${run.runId}`).toBeLessThan(MAX_RUN_EVENTS);
      expect(run.bytes, `history bytes of run ${run.runId}`).toBeLessThan(MAX_RUN_BYTES);
    }
  }

  let smallLargestPayload = 0;

  it('should audit 1,500 listed pages with every position collected and rated once across continue-as-new', async () => {
    const { result, runs, stubs, progress } = await audit(1_500, { activitiesPerRun: 10 });
    expect(result.counts).toEqual(expectedCounts(1_500));
    expect(stubs.collectedTimes.every((t) => t === 1)).toBe(true);
    stubs.ratedTimes.forEach((t, seq) =>
      expect(t, `rated ${seq}`).toBe(pageFate(seq) === 'collected' ? 1 : 0),
    );
    expect(progress).toMatchObject({ phase: 'completed', total: 1_503 });
    expect(progress.done + progress.failed + progress.skipped).toBe(progress.total);
    // 30 range steps at 10 per run: continued as new in the middle of collection and of rating.
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expectBounded(runs);
    smallLargestPayload = Math.max(...runs.map((r) => r.largestPayloadBytes));
  }, 300_000);

  it('should audit 100,000 listed pages across continue-as-new with no payload or history growing with the site', async () => {
    const { result, runs, stubs, progress } = await audit(100_000);
    expect(result.counts).toEqual(expectedCounts(100_000));
    // Every position of the list was collected exactly once, and every collected one rated exactly once.
    expect(stubs.collectedTimes.every((t) => t === 1)).toBe(true);
    expect(stubs.ratedTimes.every((t, seq) => t === (pageFate(seq) === 'collected' ? 1 : 0))).toBe(true);
    expect(stubs.contextPages()).toBe(result.counts.audited);
    expect(progress).toMatchObject({ phase: 'completed', total: 100_003, done: result.counts.audited });
    expect(progress.done + progress.failed + progress.skipped).toBe(progress.total);
    expect(progress.runs).toBe(runs.length - 1);

    // 2,000 range steps at 500 activities per run: at least four runs, each bounded.
    expect(runs.length).toBeGreaterThanOrEqual(4);
    expectBounded(runs);
    // The largest payload is as large as in a 1,500-page audit (a few more digits in its counters): nothing the
    // workflow sends or receives grows with the site.
    expect(Math.max(...runs.map((r) => r.largestPayloadBytes))).toBeLessThanOrEqual(smallLargestPayload + 64);
    const actions = runs.reduce((n, r) => n + r.actions, 0);
    expect(actions / 100_000).toBeLessThan(2 / PAGES_PER_STEP + 0.01);
  }, 1_200_000);

  it('should rate LLM-scored pages one activity each in a sliding window no wider than the per-host limit', async () => {
    const { result, runs, stubs } = await audit(600, { scoring: 'llm', activitiesPerRun: 100 });
    expect(result.counts).toEqual(expectedCounts(600));
    expect(stubs.llm.calls).toBe(result.counts.audited);
    stubs.ratedTimes.forEach((t, seq) =>
      expect(t, `rated ${seq}`).toBe(pageFate(seq) === 'collected' ? 1 : 0),
    );
    // Never more than the per-host limit in flight (how close it gets to it depends on the machine's speed).
    expect(stubs.llm.maxInFlight).toBeLessThanOrEqual(4);
    expect(stubs.llm.maxInFlight).toBeGreaterThanOrEqual(2);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expectBounded(runs);
  }, 600_000);

  it('should finish an audit continued from the earlier workflow (carried URLs) on the earlier steps', async () => {
    const urls = ['https://scale.example/', 'https://scale.example/a', 'https://scale.example/b'];
    const carried: AuditSiteState = {
      scope: {
        tenantId: 'scale-tenant',
        plan: 'ltd',
        auditId: 'carried',
        siteUrl: 'https://scale.example/',
        siteKey: 'scale.example',
        startedAt: '2026-12-01T00:00:00.000Z',
      },
      phase: 'collecting',
      urls,
      collected: [],
      cursor: 1,
      counts: { done: 0, failed: 0, skipped: 0, outsideList: 0 },
      runs: 1,
    };
    const { stubs } = await audit(0, {}, carried);
    // The batch's two pages run at the same time, so their order within a step is free.
    const calls = stubs.legacyCalls;
    expect(calls.slice(0, 2).sort()).toEqual([
      'collect https://scale.example/a',
      'collect https://scale.example/b',
    ]);
    expect(calls[2]).toBe('context 2');
    expect(calls.slice(3).sort()).toEqual(['rate https://scale.example/a', 'rate https://scale.example/b']);
  }, 300_000);
});
