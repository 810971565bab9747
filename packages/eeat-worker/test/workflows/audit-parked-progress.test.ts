import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tenantPausedSignal, tenantResumedSignal } from '@apexseo/worker-sdk/workflow';
import { waitUntil } from '../../../../test/harness/index.js';
import type { AuditActivities, LlmRatingActivities } from '../../src/workflows/audit-activities-contract.js';
import { progressQuery } from '../../src/workflows/audit-queries.js';
import { auditSite } from '../../src/workflows/audit-site-workflow.js';
import type { AuditSiteInput } from '../../src/workflows/audit-workflow-types.js';
import {
  createStubWorker,
  stubBeginAudit,
  useTestWorkflowEnvironment,
} from '../support/stub-workflow-env.js';

/**
 * The audit's `parked` progress flag follows the tenant pause itself, not the failures the workflow happens to
 * catch: the real `auditSite` workflow on the harness's Temporal dev server, with stub activities, receives a pause
 * signal before its first LLM step, so that step parks without ever running.
 */
const PAGES = 2;

function stubActivities() {
  let releaseContext: () => void = () => undefined;
  const contextReleased = new Promise<void>((resolve) => (releaseContext = resolve));
  const seen = { contextRequested: false, llmCalls: 0 };
  const tally = (count: number) => ({ collected: count, audited: count, skipped: 0, failed: 0 });
  const unused = () => Promise.reject(new Error('not used by this audit'));
  const activities: AuditActivities & LlmRatingActivities = {
    beginAudit: stubBeginAudit('parked.example'),
    discoverPageList: () => Promise.resolve({ pages: PAGES, skipped: 0 }),
    collectPageRange: ({ count }) => Promise.resolve(tally(count)),
    buildSiteContextFromStore: async () => {
      seen.contextRequested = true;
      await contextReleased;
      return { pages: PAGES };
    },
    listedPages: ({ from, count }) =>
      Promise.resolve(
        Array.from({ length: Math.min(PAGES - from, count) }, (_, i) => `https://parked.example/${from + i}`),
      ),
    ratePageRange: ({ count }) => Promise.resolve(tally(count)),
    ratePageLlm: ({ url }) => {
      seen.llmCalls++;
      return Promise.resolve({ url, level: 'medium' });
    },
    recordUnfinishedPages: () => Promise.resolve(0),
    recordPageError: () => Promise.resolve(),
    finalizeAudit: ({ scope }) =>
      Promise.resolve({
        auditId: scope.auditId,
        tenantId: scope.tenantId,
        siteUrl: scope.siteUrl,
        counts: { total: PAGES, audited: PAGES, skipped: 0, failed: 0 },
        medianLevel: 'medium' as const,
      }),
    discoverPages: unused,
    collectPage: unused,
    buildSiteContext: unused,
    ratePageHeuristic: unused,
  };
  return { activities, seen, releaseContext };
}

describe('the audit progress while its tenant is paused', () => {
  const testEnv = useTestWorkflowEnvironment();

  it('should show parked while a pause signal holds the LLM step, and not parked once resumed', async () => {
    const env = testEnv();
    const stubs = stubActivities();
    const { worker, taskQueue } = await createStubWorker(env, 'parked', stubs.activities);
    const input: AuditSiteInput = {
      tenantId: 'parked-tenant',
      plan: 'ltd',
      auditId: `audit-${randomUUID()}`,
      siteUrl: 'https://parked.example/',
      limits: { pages: PAGES, depth: 1, concurrencyPerHost: 2 },
      scoring: 'llm',
    };
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(auditSite, {
        taskQueue,
        workflowId: `eeat-audit:parked-tenant:${input.auditId}`,
        args: [input],
      });
      await waitUntil(() => stubs.seen.contextRequested, {
        what: 'the site-context step',
        timeoutMs: 60_000,
      });
      await handle.signal(tenantPausedSignal, { tenantId: input.tenantId, reason: 'key revoked' });
      stubs.releaseContext();

      const parked = await waitUntil(
        async () => {
          const progress = await handle.query(progressQuery);
          return progress.parked ? progress : undefined;
        },
        { what: 'the progress to show parked', timeoutMs: 60_000 },
      );
      expect(parked.phase).toBe('rating');
      expect(stubs.seen.llmCalls).toBe(0);

      await handle.signal(tenantResumedSignal, { tenantId: input.tenantId });
      const result = await handle.result();
      expect(result.counts.audited).toBe(PAGES);
      expect(stubs.seen.llmCalls).toBe(PAGES);
      expect((await handle.query(progressQuery)).parked).toBe(false);
    });
  }, 180_000);
});
