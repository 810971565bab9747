/**
 * The heuristic scoring layer: rates a page with no LLM at all (the embedded default). Findings come from
 * `collectSignals`; dimension scores start from a neutral base and move by each finding's weight; the
 * overall level comes from the gates and Trust (`computeLevel`), never from averaging.
 *
 * Reputation is null: the QRG requires independent reputation research (§3.3), which needs a search step this
 * layer does not have. Unknown is recorded as unknown, never as zero.
 */
import {
  type Dimension,
  type PageFacts,
  type PageRating,
  RUBRIC_VERSION,
  type SiteContext,
  DIMENSIONS,
} from '../audit-model.js';
import { computeLevel, dimensionScore } from './level-gates.js';
import { collectSignals, gatesOf, type WeightedFinding } from './page-signals.js';

/** Neutral starting points: "nothing wrong, nothing special" is Medium (§6.1); YMYL must earn its trust. */
function baseScore(dimension: Dimension, ymyl: boolean): number {
  switch (dimension) {
    case 'trust':
      return ymyl ? 45 : 50;
    case 'expertise':
      return ymyl ? 40 : 45;
    case 'mc_quality':
      return 50;
    default:
      return 45;
  }
}

export function scoreDimensions(
  weighted: readonly WeightedFinding[],
  ymyl: boolean,
): PageRating['dimensions'] {
  const totals = Object.fromEntries(DIMENSIONS.map((d) => [d, baseScore(d, ymyl)])) as Record<
    Dimension,
    number
  >;
  for (const w of weighted) {
    const dim = w.finding.dimension;
    if (dim in totals) totals[dim as Dimension] += w.delta;
  }
  return {
    experience: dimensionScore(totals.experience),
    expertise: dimensionScore(totals.expertise),
    authoritativeness: dimensionScore(totals.authoritativeness),
    trust: dimensionScore(totals.trust),
    mc_quality: dimensionScore(totals.mc_quality),
  };
}

/** Rates one page from its facts and the site context. Pure and deterministic. */
export function rateHeuristic(facts: PageFacts, site: SiteContext): PageRating {
  const signals = collectSignals(facts, site);
  const gates = gatesOf(signals.weighted);
  const dimensions = scoreDimensions(signals.weighted, signals.ymyl.class !== 'none');
  const { level, gatedBy } = computeLevel({ gates, dimensions, ymyl: signals.ymyl, reputation: null });
  return {
    url: facts.url,
    rubricVersion: RUBRIC_VERSION,
    scorer: 'heuristic',
    model: null,
    purpose: signals.purpose,
    ymyl: signals.ymyl,
    gates,
    dimensions,
    reputation: null,
    level,
    gatedBy,
    findings: signals.weighted.map((w) => w.finding),
    contentHash: facts.contentHash,
    cacheKey: null,
    truncated: false,
    usage: null,
  };
}
