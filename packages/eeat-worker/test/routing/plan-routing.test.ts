import { describe, expect, it } from 'vitest';
import { priorityForPlan, taskQueueForPlan } from '../../src/routing/plan-routing.js';
import { buildAuditInput, InvalidAuditRequestError } from '../../src/routing/start-audit.js';

describe('routing by plan', () => {
  it('should send MRR tenants to eeat-priority and lifetime-deal tenants to eeat-standard', () => {
    expect(taskQueueForPlan('mrr')).toBe('eeat-priority');
    expect(taskQueueForPlan('ltd')).toBe('eeat-standard');
  });

  it('should give MRR audits a higher Temporal priority (lower key) than lifetime-deal audits', () => {
    expect(priorityForPlan('mrr').priorityKey).toBeLessThan(priorityForPlan('ltd').priorityKey);
  });

  it('should fill default limits and a fresh audit id', () => {
    const input = buildAuditInput({ tenantId: 't1', plan: 'ltd', siteUrl: 'https://example.com/' });
    expect(input.limits).toEqual({ pages: 1_000, depth: 3, concurrencyPerHost: 4 });
    expect(input.auditId).toMatch(/^[0-9a-f-]{36}$/);
    expect(input.scoring).toBe('heuristic');
  });

  it('should refuse a request with a bad site URL, naming the field', () => {
    expect(() => buildAuditInput({ tenantId: 't1', plan: 'mrr', siteUrl: 'ftp://example.com' })).toThrow(
      /siteUrl: must be an absolute http\(s\) URL/,
    );
  });

  it('should refuse a tenant id that could escape a query, naming the field', () => {
    expect(() =>
      buildAuditInput({ tenantId: "t1' OR '1'='1", plan: 'mrr', siteUrl: 'https://example.com/' }),
    ).toThrow(InvalidAuditRequestError);
    expect(() =>
      buildAuditInput({ tenantId: "t1' OR '1'='1", plan: 'mrr', siteUrl: 'https://example.com/' }),
    ).toThrow(/tenantId/);
  });

  it('should refuse out-of-range limits, naming the field', () => {
    expect(() =>
      buildAuditInput({
        tenantId: 't1',
        plan: 'mrr',
        siteUrl: 'https://example.com/',
        limits: { concurrencyPerHost: 0 },
      }),
    ).toThrow(/limits\.concurrencyPerHost/);
    const site = { tenantId: 't1', plan: 'mrr' as const, siteUrl: 'https://example.com/' };
    expect(buildAuditInput({ ...site, limits: { pages: 100_000 } }).limits.pages).toBe(100_000);
    expect(() => buildAuditInput({ ...site, limits: { pages: 100_001 } })).toThrow(/limits\.pages/);
  });
});
