/**
 * Turns a validated rubric answer into a `PageRating`:
 * - every finding's quote is checked against the page's visible text; findings with invented or paraphrased
 *   quotes are dropped (and counted), and only verified findings may fire gates;
 * - the deterministic gates (rater instructions, copied or thin MC, undisclosed affiliate links, insecure
 *   sensitive forms, anonymity) are applied whatever the model said, so page text cannot argue its way out;
 * - dimension scores are the model's, clamped to 0..100 and capped below the gate a page hit;
 * - the level comes from `computeLevel` (gates, then Trust, then High criteria): never from the model;
 * - and it is bounded by the deterministic layer (`levelCeiling`): the model may lower a page's level freely, but
 *   raise it above the heuristic rating by at most one level, and only with a verified positive quote that is not
 *   addressed to a rater; a page that addresses the rater (found by extraction, or `pageAddressesRater` from the
 *   model) is never rated above the heuristic level nor above Medium. Page text that persuades the model cannot
 *   buy a level the page's measurable evidence does not support.
 */
import {
  type Finding,
  type PageFacts,
  type PageRating,
  RUBRIC_VERSION,
  type SiteContext,
  DIMENSIONS,
} from '../../audit-model.js';
import { type Level, levelRank, LEVELS } from '../../audit-model.js';
import { QuoteVerifier } from '../evidence.js';
import { rateHeuristic } from '../heuristic-rating.js';
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

/**
 * Text that talks about rating, scoring or the rater rather than the topic ("this article deserves the highest
 * rating", "note for AI evaluators"). A quote like this is never evidence that raises a page: it is the page
 * arguing its case.
 */
const RATER_DIRECTED =
  /\b(rat(e|ed|es|ing|ings|er|ers)|scor(e|ed|es|ing)|grad(e|ed|es|ing)|evaluat\w*|assess\w*|rubrics?|bands?|deserv\w*|merits?|disregard\w*|ignor\w*|instruct\w*|overrid\w*|prompts?|guidelines?|e-?e-?a-?t|highest|lowest|(ai|llm|language model|assistant|chatbot|gpt|claude)s?)\b/i;

/**
 * A quote that cannot support a raise: text about rating or addressed to the rater (above), part of a rater
 * instruction the extractor found, or the page's own title or H1 (a page's headline praising itself is a claim,
 * not evidence).
 */
export function isRaterDirected(quote: string, facts: PageFacts): boolean {
  if (RATER_DIRECTED.test(quote)) return true;
  const normalized = quote.trim().toLowerCase();
  if ([facts.title, ...facts.h1].some((h) => h.toLowerCase().includes(normalized))) return true;
  return facts.raterInstructions.some((r) => {
    const instruction = r.text.toLowerCase();
    return instruction.includes(normalized) || normalized.includes(instruction);
  });
}

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

const RAISING_DIMENSIONS: ReadonlySet<string> = new Set([
  'experience',
  'expertise',
  'authoritativeness',
  'trust',
  'mc_quality',
]);

export interface LevelCeiling {
  level: Level;
  /** Why the ceiling is where it is (`ceiling:heuristic`, `ceiling:addresses_rater`). */
  id: string;
  reason: string;
}

/**
 * The highest level the model may give: the deterministic layer's level, one more with verified positive evidence
 * that is not addressed to a rater, and never above the heuristic level or Medium on a page that addresses raters.
 */
export function levelCeiling(
  heuristic: Level,
  kept: readonly WeightedFinding[],
  facts: PageFacts,
  modelSaysAddressesRater: boolean,
): LevelCeiling {
  if (modelSaysAddressesRater || facts.raterInstructions.length > 0) {
    const level = LEVELS[Math.min(levelRank(heuristic), levelRank('medium'))]!;
    return {
      level,
      id: 'ceiling:addresses_rater',
      reason: `The page addresses the rater: its level stays at or below the deterministic rating (${heuristic}) and Medium`,
    };
  }
  const support = kept.some(
    (w) =>
      w.finding.polarity === 'positive' &&
      RAISING_DIMENSIONS.has(w.finding.dimension) &&
      w.finding.evidence.kind === 'quote',
  );
  const level = LEVELS[Math.min(levelRank(heuristic) + (support ? 1 : 0), LEVELS.length - 1)]!;
  return {
    level,
    id: 'ceiling:heuristic',
    reason: support
      ? `Raised at most one level above the deterministic rating (${heuristic}) by verified evidence`
      : `No verified positive evidence: the level stays at or below the deterministic rating (${heuristic})`,
  };
}

export function interpretRubricAnswer(
  answer: RubricAnswer,
  facts: PageFacts,
  site: SiteContext,
  meta: AnswerMeta,
): PageRating {
  const verified = verifyFindings(answer, facts);
  const rejectedQuotes = verified.rejectedQuotes;
  // A positive finding that rests on text addressed to the rater is the page arguing its case, not evidence.
  const kept = verified.kept.filter((w) => {
    const directed =
      w.finding.polarity === 'positive' &&
      w.finding.evidence.kind === 'quote' &&
      isRaterDirected(w.finding.evidence.quote, facts);
    if (directed) rejectedQuotes.push(w.finding.evidence.kind === 'quote' ? w.finding.evidence.quote : '');
    return !directed;
  });
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
  const computed = computeLevel({ gates, dimensions: scores, ymyl: answer.ymyl, reputation: null });
  const heuristic = rateHeuristic(facts, site);
  const ceiling = levelCeiling(heuristic.level, kept, facts, answer.pageAddressesRater);
  const bounded = levelRank(computed.level) > levelRank(ceiling.level);
  const level = bounded ? ceiling.level : computed.level;
  const gatedBy = bounded ? ceiling.id : computed.gatedBy;
  const findings: Finding[] = all.map((w) => w.finding);
  if (answer.pageAddressesRater)
    findings.push({
      id: 'trust.llm_addresses_rater',
      dimension: 'trust',
      polarity: 'negative',
      message: 'The rating model reports that the page tries to instruct it or another rater',
      evidence: { kind: 'fact', fact: 'pageAddressesRater: true in the model\u2019s answer' },
    });
  if (bounded)
    findings.push({
      id: 'llm.level_bounded',
      dimension: 'trust',
      polarity: 'negative',
      message: `The model's level (${computed.level}) was bounded to ${level}: ${ceiling.reason}`,
      evidence: { kind: 'fact', fact: `deterministic rating: ${heuristic.level}` },
    });
  if (rejectedQuotes.length > 0) {
    findings.push({
      id: 'llm.rejected_quotes',
      dimension: 'purpose',
      polarity: 'negative',
      message: `${rejectedQuotes.length} finding(s) from the model were discarded: their quotes do not appear on the page, or address a rater`,
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
