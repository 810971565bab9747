import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/audit-model.js';
import { topEvidence } from '../../src/cli/report-table.js';

const finding = (
  id: string,
  dimension: Finding['dimension'],
  polarity: Finding['polarity'],
  verified: boolean | null,
): Finding => ({
  id,
  dimension,
  polarity,
  message: id,
  evidence: verified === null ? { kind: 'absence', lookedFor: 'x' } : { kind: 'quote', quote: id, verified },
});

describe('top evidence per page', () => {
  const findings = [
    finding('purpose', 'purpose', 'positive', true),
    finding('good-unverified', 'trust', 'positive', false),
    finding('bad-absence', 'trust', 'negative', null),
    finding('bad-quote', 'expertise', 'negative', true),
    finding('good-quote', 'experience', 'positive', true),
  ];

  it('should explain a weak page with its negative findings, verified quotes first', () => {
    expect(topEvidence(findings, 'lowest', 2).map((f) => f.id)).toEqual(['bad-quote', 'bad-absence']);
  });

  it('should explain a strong page with its positive findings and keep the purpose label last', () => {
    expect(topEvidence(findings, 'high', 3).map((f) => f.id)).toEqual([
      'good-quote',
      'good-unverified',
      'bad-quote',
    ]);
  });
});
