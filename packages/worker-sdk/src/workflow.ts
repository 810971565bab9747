/**
 * `@apexseo/worker-sdk/workflow`: the part of the SDK that runs inside Temporal's workflow sandbox. No Node APIs,
 * no heavy dependencies — only `@temporalio/workflow`.
 *
 * @example
 * ```ts
 * import { proxyActivities } from '@temporalio/workflow';
 * import { withTenantPause } from '@apexseo/worker-sdk/workflow';
 * import type * as activities from './activities.js';
 *
 * const { scoreContent } = proxyActivities<typeof activities>({ startToCloseTimeout: '2 minutes' });
 *
 * export async function auditPage(input: { tenantId: string; plan: 'mrr' | 'ltd'; url: string }): Promise<number> {
 *   const target = { tenantId: input.tenantId, provider: 'openai' } as const;
 *   const { score } = await withTenantPause(target, () => scoreContent({ ...input, provider: 'openai' }));
 *   return score;
 * }
 * ```
 *
 * This module also exports `interceptors`, so its path can be given to `workflowInterceptorModules`; `createWorker`
 * and `bundleWorkflows` do that for you.
 */
export {
  installTenantPauseHandlers,
  isTenantPausedFailure,
  planSearchAttribute,
  tenantIdSearchAttribute,
  tenantParkedSearchAttribute,
  tenantPausedSignal,
  tenantResumedSignal,
  withTenantPause,
} from './workflow/with-tenant-pause.js';
export type { TenantPauseOptions, TenantPauseTarget } from './workflow/with-tenant-pause.js';
export {
  KEY_NOT_FOUND_FAILURE,
  TENANT_KEY_STATUS_ACTIVITY,
  TENANT_PAUSED_FAILURE,
  TENANT_PAUSED_SIGNAL,
  TENANT_RESUMED_SIGNAL,
} from './workflow/tenant-pause-contract.js';
export type {
  TenantKeyStatusInput,
  TenantKeyStatusResult,
  TenantSignal,
} from './workflow/tenant-pause-contract.js';
export { interceptors, METRICS_SINK_NAME } from './workflow/metrics-interceptors.js';
export type { ApexSeoMetricsSinks } from './workflow/metrics-interceptors.js';
