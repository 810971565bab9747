/**
 * The QRG's order of judgment, shared by both scoring layers:
 *   1. any Lowest gate (deception, harm, copied MC, anonymous YMYL, ...) => Lowest;
 *   2. else any Low gate (thin MC, undisclosed monetisation, unsatisfying creator info on YMYL, ...) => Low;
 *   3. else Trust decides whether the page can be more than Low (untrustworthy pages have low E-E-A-T
 *      "no matter how Experienced, Expert, or Authoritative they may seem", §3.4);
 *   4. else Medium, raised to High only with evidence for at least one High criterion (§7.0), with a
 *      stricter bar for YMYL; Highest needs very positive reputation, which needs a search step (§8.0).
 * The overall level is never an average of dimension scores.
 */
import type { DimensionScore, Gate, Level, PageRating } from '../audit-model.js';

export function bandOf(score: number): Level {
  if (score < 20) return 'lowest';
  if (score < 40) return 'low';
  if (score < 60) return 'medium';
  if (score < 80) return 'high';
  return 'highest';
}

export function dimensionScore(score: number): DimensionScore {
  const clamped = Math.max(0, Math.min(100, Math.round(score)));
  return { score: clamped, level: bandOf(clamped) };
}

export interface LevelInput {
  gates: readonly Gate[];
  dimensions: PageRating['dimensions'];
  ymyl: PageRating['ymyl'];
  reputation: PageRating['reputation'];
}

export function computeLevel(input: LevelInput): { level: Level; gatedBy: string | null } {
  const lowest = input.gates.find((g) => g.caps === 'lowest');
  if (lowest) return { level: 'lowest', gatedBy: lowest.id };
  const low = input.gates.find((g) => g.caps === 'low');
  if (low) return { level: 'low', gatedBy: low.id };
  const { trust, expertise, experience, mc_quality: mc } = input.dimensions;
  if (trust.score < 40) return { level: 'low', gatedBy: 'low:inadequate_trust' };
  const isYmyl = input.ymyl.class !== 'none' && input.ymyl.clarity !== 'no';
  const trustBar = isYmyl ? 65 : 60;
  const highCriterion = mc.score >= 60 || expertise.score >= (isYmyl ? 65 : 60) || experience.score >= 65;
  if (trust.score < trustBar || !highCriterion) return { level: 'medium', gatedBy: null };
  const veryPositiveReputation = input.reputation !== null && input.reputation.score >= 80;
  if (veryPositiveReputation && trust.score >= 80 && (expertise.score >= 80 || mc.score >= 80))
    return { level: 'highest', gatedBy: null };
  return { level: 'high', gatedBy: null };
}
