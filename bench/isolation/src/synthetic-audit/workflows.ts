/**
 * The benchmark's audit workflow: one page audit as one activity, the same history shape as the eeat-worker's
 * `auditPage` (start, workflow task, one activity, workflow task, complete). Kept free of imports other than
 * @temporalio/workflow so the Temporal bundler needs no extra resolution rules.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { createSyntheticActivities, PageAuditOutcome } from './activities.js';
import type { PageAuditCost } from './cost.js';

const { auditPage } = proxyActivities<ReturnType<typeof createSyntheticActivities>>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 5 },
});

export async function benchAuditPage(input: {
  auditId: string;
  cost: PageAuditCost;
}): Promise<PageAuditOutcome> {
  return auditPage(input);
}
