/** The keys every stored row and node of one audit carries. */
import { z } from 'zod';
import { AuditIdSchema, TenantIdSchema } from './tenant-keys.js';

export const PlanSchema = z.enum(['mrr', 'ltd']);
export type Plan = z.infer<typeof PlanSchema>;

export const AuditScopeSchema = z.object({
  tenantId: TenantIdSchema,
  plan: PlanSchema,
  auditId: AuditIdSchema,
  siteUrl: z.url({ protocol: /^https?$/ }),
  siteKey: z.string().min(1),
  /** ISO time the audit was first started; stable across re-runs of the same audit id (part of the row key). */
  startedAt: z.iso.datetime(),
});
export type AuditScope = z.infer<typeof AuditScopeSchema>;
