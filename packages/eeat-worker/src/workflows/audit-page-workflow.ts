/** `auditPage`: the same audit for one URL (robots checked, no link discovery, one page rated and recorded). */
import { auditSite } from './audit-site-workflow.js';
import type { AuditPageInput, AuditSiteResult } from './audit-workflow-types.js';

export async function auditPage(input: AuditPageInput): Promise<AuditSiteResult> {
  const { url, ...rest } = input;
  return auditSite({ ...rest, siteUrl: url, limits: { pages: 1, depth: 0, concurrencyPerHost: 1 } });
}
