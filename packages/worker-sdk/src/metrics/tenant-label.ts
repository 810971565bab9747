import type { TenantPlan } from '../keys/tenant-key.js';

/** The `tenant` label value used for every tenant that does not get its own label. */
export const OVERFLOW_TENANT_LABEL = 'other';

export interface TenantLabelOptions {
  /** At most this many distinct tenant label values per process. @default 200 */
  readonly limit?: number;
  /** Plans whose tenants may get their own label. @default ['mrr'] */
  readonly plans?: readonly TenantPlan[];
}

/**
 * Bounds the cardinality of the `tenant` label. Thousands of lifetime-deal tenants would otherwise create
 * thousands of series per pod. Rule: a tenant of an allowed plan (default: paying `mrr` tenants only) gets its own
 * label value, first come first served, until `limit` distinct values exist in this process; every other tenant
 * is counted under `other`. The `plan` label is kept, so `other` still splits by plan. Series per pod are at most
 * (limit + 1) × plans × providers (× error classes for the error counter).
 */
export class TenantLabeler {
  private readonly labelled = new Set<string>();
  private readonly limit: number;
  private readonly plans: ReadonlySet<TenantPlan>;

  constructor(options: TenantLabelOptions = {}) {
    this.limit = options.limit ?? 200;
    this.plans = new Set(options.plans ?? ['mrr']);
  }

  label(tenantId: string, plan: TenantPlan): string {
    if (!this.plans.has(plan)) return OVERFLOW_TENANT_LABEL;
    if (this.labelled.has(tenantId)) return tenantId;
    if (this.labelled.size >= this.limit) return OVERFLOW_TENANT_LABEL;
    this.labelled.add(tenantId);
    return tenantId;
  }
}
