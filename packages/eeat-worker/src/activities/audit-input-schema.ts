/** zod schemas of the workflow inputs, checked at the process boundary (start helper and first activity). */
import { z } from 'zod';
import { AuditIdSchema, TenantIdSchema } from '../storage/tenant-keys.js';
import { PlanSchema } from '../storage/audit-scope.js';
import { MAX_PAGES } from '../workflows/audit-workflow-types.js';

export const AuditLimitsSchema = z.object({
  pages: z.number().int().min(1).max(MAX_PAGES),
  depth: z.number().int().min(0).max(20),
  concurrencyPerHost: z.number().int().min(1).max(32),
});

export const AuditSiteInputSchema = z.object({
  tenantId: TenantIdSchema,
  plan: PlanSchema,
  auditId: AuditIdSchema,
  siteUrl: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }),
  limits: AuditLimitsSchema,
  scoring: z.enum(['heuristic', 'llm']),
  provider: z.enum(['openai', 'anthropic']).optional(),
  /** Honoured by a worker only where its own private-host allowance permits (see fetch/private-host-allowance.ts). */
  allowHosts: z.array(z.string().min(1).max(300)).max(20).optional(),
  activitiesPerRun: z.number().int().min(1).max(5_000).optional(),
});

/** `field: message` for the first problems of a failed parse, e.g. `siteUrl: must be an absolute http(s) URL`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(input)'}: ${issue.message}`)
    .join('; ');
}
