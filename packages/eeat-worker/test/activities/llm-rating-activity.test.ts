import { SdkError } from '@apexseo/worker-sdk';
import { describe, expect, it } from 'vitest';
import { assertScopeOfTenant } from '../../src/activities/llm-rating-activity.js';

const scope = {
  tenantId: 'tenant-a',
  plan: 'mrr' as const,
  auditId: 'audit-1',
  siteUrl: 'https://site.example/',
  siteKey: 'site.example',
  startedAt: '2026-12-01T00:00:00.000Z',
};

describe('ratePageLlm input', () => {
  it('should refuse, as invalid input, a scope of another tenant than the one whose key is used', () => {
    let refused: unknown;
    try {
      assertScopeOfTenant(scope, 'tenant-b');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(SdkError);
    expect(refused).toMatchObject({ type: 'InvalidActivityInput' });
    expect((refused as Error).message).toContain('scope.tenantId');
  });

  it('should accept the scope of the tenant whose key is used', () => {
    expect(() => assertScopeOfTenant(scope, 'tenant-a')).not.toThrow();
  });
});
