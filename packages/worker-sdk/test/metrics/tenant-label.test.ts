import { describe, expect, it } from 'vitest';
import { OVERFLOW_TENANT_LABEL, TenantLabeler } from '../../src/index.js';

describe('TenantLabeler', () => {
  it('should label at most `limit` distinct tenants and count the rest as other', () => {
    const labeler = new TenantLabeler({ limit: 3, plans: ['mrr'] });
    const labels = new Set(Array.from({ length: 1000 }, (_, i) => labeler.label(`tenant-${i}`, 'mrr')));
    expect(labels.size).toBe(4);
    expect(labels.has(OVERFLOW_TENANT_LABEL)).toBe(true);
    expect(labeler.label('tenant-1', 'mrr')).toBe('tenant-1');
  });

  it('should count lifetime-deal tenants as other unless their plan is allowed', () => {
    expect(new TenantLabeler().label('ltd-1', 'ltd')).toBe(OVERFLOW_TENANT_LABEL);
    expect(new TenantLabeler({ plans: ['mrr', 'ltd'] }).label('ltd-1', 'ltd')).toBe('ltd-1');
  });
});
