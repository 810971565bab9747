/**
 * Turns a validated rubric answer into a `PageRating`:
 * - every finding's quote is checked against the page's visible text; findings with invented or paraphrased
 *   quotes are dropped (and counted), and only verified findings may fire gates;
 * - the deterministic gates (rater instructions, copied or thin MC, undisclosed affiliate links, insecure
 *   sensitive forms, anonymity) are applied whatever the model said, so page text cannot argue its way out;
 * - dimension scores are the model's, clamped to 0..100 and capped below the gate a page hit;
 * - the level comes from `computeLevel` (gates, then Trust, then High criteria): never from the model.
 */
import {
  type Finding,
  type PageFacts,
  type PageRating,
  RUBRIC_VERSION,
  type SiteContext,
  DIMENSIONS,
} from '../../audit-model.js';
import { QuoteVerifier } from '../evidence.js';
import { computeLevel, dimensionScore } from '../level-gates.js';
import { collectSignals, DETERMINISTIC_FINDINGS, gatesOf, type WeightedFinding } from '../page-signals.js';
import type { RubricAnswer } from './rubric-schema.js';

export interface AnswerMeta {
  provider: string;
  model: string;
  cacheKey: string;
  truncated: boolean;
  usage: { inputTokens: number; outputTokens: number } | null;
}

export interface VerifiedFindings {
  kept: WeightedFinding[];
  rejectedQuotes: string[];
}

/** A quote shorter than this proves nothing ("the", "health"); one longer is a dump, not evidence. */
export const MIN_QUOTE_WORDS = 4;
export const MAX_QUOTE_WORDS = 80;

/** Keeps the findings whose quote is verbatim page text of evidence size; gates only from those. */
export function verifyFindings(answer: RubricAnswer, facts: PageFacts): VerifiedFindings {
  const verifier = new QuoteVerifier(facts.visibleText);
  const kept: WeightedFinding[] = [];
  const rejectedQuotes: string[] = [];
  answer.findings.forEach((f, index) => {
    const wordCount = f.quote.trim().split(/\s+/).filter(Boolean).length;
    if (wordCount < MIN_QUOTE_WORDS || wordCount > MAX_QUOTE_WORDS || !verifier.verify(f.quote)) {
      rejectedQuotes.push(f.quote.slice(0, 300));
      return;
    }
    const finding: Finding = {
      id: `llm.${f.dimension}.${index + 1}`,
      dimension: f.dimension,
      polarity: f.polarity,
      message: f.message.slice(0, 500),
      evidence: { kind: 'quote', quote: f.quote.slice(0, 500), verified: true },
    };
    const gate =
      f.gate === 'none' || f.polarity === 'positive'
        ? undefined
        : { caps: f.gate, reason: f.message.slice(0, 300) };
    kept.push({ finding, delta: 0, ...(gate ? { gate } : {}) });
  });
  return { kept, rejectedQuotes };
}

export function interpretRubricAnswer(
  answer: RubricAnswer,
  facts: PageFacts,
  site: SiteContext,
  meta: AnswerMeta,
): PageRating {
  const { kept, rejectedQuotes } = verifyFindings(answer, facts);
  const classification = { purpose: answer.purpose, ymyl: answer.ymyl };
  const deterministic = collectSignals(facts, site, { classification }).weighted.filter((w) =>
    DETERMINISTIC_FINDINGS.has(w.finding.id),
  );
  const all = [...deterministic, ...kept];
  const gates = gatesOf(all);
  const cap = gates.some((g) => g.caps === 'lowest') ? 19 : gates.some((g) => g.caps === 'low') ? 39 : 100;
  const scores = Object.fromEntries(
    DIMENSIONS.map((d) => {
      const raw = Number.isFinite(answer.dimensions[d].score) ? answer.dimensions[d].score : 0;
      // Trust is central: a gated page cannot keep a trust score above its gate, whatever the model said.
      return [d, dimensionScore(d === 'trust' ? Math.min(raw, cap) : raw)];
    }),
  ) as PageRating['dimensions'];
  const { level, gatedBy } = computeLevel({ gates, dimensions: scores, ymyl: answer.ymyl, reputation: null });
  const findings: Finding[] = all.map((w) => w.finding);
  if (rejectedQuotes.length > 0) {
    findings.push({
      id: 'llm.rejected_quotes',
      dimension: 'purpose',
      polarity: 'negative',
      message: `${rejectedQuotes.length} finding(s) from the model were discarded: their quotes do not appear on the page`,
      evidence: { kind: 'fact', fact: rejectedQuotes.map((q) => `"${q.slice(0, 120)}"`).join('; ') },
    });
  }
  return {
    url: facts.url,
    rubricVersion: RUBRIC_VERSION,
    scorer: 'llm',
    model: `${meta.provider}/${meta.model}`,
    purpose: answer.purpose,
    ymyl: answer.ymyl,
    gates,
    dimensions: scores,
    reputation: null,
    level,
    gatedBy,
    findings,
    contentHash: facts.contentHash,
    cacheKey: meta.cacheKey,
    truncated: meta.truncated,
    usage: meta.usage,
  };
}
