/**
 * Turns extracted facts into QRG findings, each with evidence (a verbatim quote, a measured fact, or what
 * was looked for and not found), a weight on its dimension, and the gate it triggers if any.
 *
 * Two kinds of signals live here:
 * - deterministic facts (rater instructions in the text, insecure forms, copied MC, undisclosed affiliate
 *   links, anonymity, thin MC): both scoring layers apply their gates, so an LLM can never talk a page out
 *   of them;
 * - lexicon judgments (YMYL topic, harmful claims, experience and credential phrases): the heuristic
 *   layer's stand-in for the rubric an LLM applies.
 */
import type { Gate, PageFacts, PagePurpose, SiteContext, YmylClass } from '../audit-model.js';
import { PRICE, SELLING, YMYL_TERMS } from './lexicons.js';
import { SIGNAL_RULES } from './signals/signal-rules.js';
import { signalContext, type WeightedFinding, type YmylJudgement } from './signals/signal-rule.js';

export type { WeightedFinding } from './signals/signal-rule.js';

export interface PageSignals {
  purpose: PagePurpose;
  ymyl: YmylJudgement;
  weighted: WeightedFinding[];
}

const SUPPORT_KINDS = new Set(['about', 'contact', 'privacy', 'terms', 'editorial']);

export function classifyPurpose(facts: PageFacts): PagePurpose {
  if (SUPPORT_KINDS.has(facts.pageKind)) return 'about';
  if (facts.pageKind === 'author') return 'profile';
  if (facts.pageKind === 'home') return 'navigation';
  const affiliate = facts.citations.filter((c) => c.affiliate && c.inMainContent).length;
  if (affiliate >= 3 || (affiliate >= 1 && /\b(best|top \d+|review|vs\.?|compared)\b/i.test(facts.title)))
    return 'review';
  if (SELLING.test(facts.mainText) && PRICE.test(facts.mainText)) return 'sell';
  if (facts.jsonLdTypes.some((t) => /NewsArticle/.test(t))) return 'news';
  return facts.wordCount >= 40 ? 'inform' : 'other';
}

/**
 * YMYL class by topic terms: the title/H1 name the topic, and the body's density of terms (per 1,000 words of
 * its first ~1,000 words) says how much of the page is about it, so a long page that mentions a bank twice is
 * not a finance page.
 */
export function classifyYmyl(facts: PageFacts, purpose: PagePurpose): YmylJudgement {
  if (purpose === 'about' || purpose === 'navigation' || purpose === 'profile')
    return { class: 'none', clarity: 'no' };
  const head = `${facts.title} ${facts.h1.join(' ')}`;
  const body = facts.mainText.slice(0, 6000);
  const bodyWords = Math.max(200, body.split(/\s+/).length);
  let best: { cls: YmylClass; head: number; density: number; rank: number } = {
    cls: 'none',
    head: 0,
    density: 0,
    rank: 0,
  };
  for (const [cls, pattern] of Object.entries(YMYL_TERMS) as Array<[YmylClass, RegExp]>) {
    const headHits = head.match(pattern)?.length ?? 0;
    const density = ((body.match(pattern)?.length ?? 0) / bodyWords) * 1000;
    const rank = headHits * 10 + density;
    if (rank > best.rank) best = { cls, head: headHits, density, rank };
  }
  if ((best.head >= 1 && best.density >= 5) || best.density >= 15)
    return { class: best.cls, clarity: 'clear' };
  if (best.head >= 1 || best.density >= 6) return { class: best.cls, clarity: 'maybe' };
  return { class: 'none', clarity: 'no' };
}

/**
 * Findings that are measured facts rather than judgments. Both layers apply their gates; the LLM layer takes
 * its judgments (purpose, YMYL, harm, experience, expertise) from the model and these from here.
 */
export const DETERMINISTIC_FINDINGS: ReadonlySet<string> = new Set([
  'trust.hidden_rater_instructions',
  'trust.rater_instructions',
  'trust.anonymous',
  'trust.no_contact_for_money',
  'trust.undisclosed_affiliate',
  'trust.insecure_sensitive_form',
  'mc_quality.copied',
  'mc_quality.thin',
]);

export interface SignalOptions {
  /** Purpose and YMYL class decided elsewhere (by the LLM rubric); default: the lexicon classifiers. */
  classification?: { purpose: PagePurpose; ymyl: YmylJudgement };
}

/** Collects every finding for one page: each signal rule in turn, on one shared context. */
export function collectSignals(
  facts: PageFacts,
  site: SiteContext,
  options: SignalOptions = {},
): PageSignals {
  const purpose = options.classification?.purpose ?? classifyPurpose(facts);
  const ymyl = options.classification?.ymyl ?? classifyYmyl(facts, purpose);
  const context = signalContext(facts, site, purpose, ymyl);
  return { purpose, ymyl, weighted: SIGNAL_RULES.flatMap((rule) => rule(context)) };
}

/**
 * Which gate names the level when several fire: the most telling reason first (deception, harm, copying,
 * anonymity, ...). Gates from LLM findings rank after deception and harm.
 */
const GATE_PRIORITY: readonly string[] = [
  'hidden_rater_instructions',
  'harmful_claim',
  'copied',
  'anonymous',
  'rater_instructions',
  'undisclosed_affiliate',
  'insecure_sensitive_form',
  'no_contact_for_money',
  'thin',
  'no_author',
  'exaggerated_title',
];

function gatePriority(gate: Gate): number {
  const name = gate.id.slice(gate.id.indexOf(':') + 1);
  const index = GATE_PRIORITY.indexOf(name);
  return (gate.caps === 'lowest' ? 0 : 100) + (index >= 0 ? index : 2.5);
}

/** Gates fired by a set of weighted findings, Lowest before Low, the most telling reason first. */
export function gatesOf(weighted: readonly WeightedFinding[]): Gate[] {
  const gates: Gate[] = [];
  for (const w of weighted) {
    if (!w.gate) continue;
    // `trust.anonymous` -> `lowest:anonymous`; model findings (`llm.trust.3`) -> `lowest:llm_trust`.
    const name = w.finding.id.startsWith('llm.')
      ? `llm_${w.finding.dimension}`
      : w.finding.id.split('.').at(-1);
    const id = `${w.gate.caps}:${name}`;
    const existing = gates.find((g) => g.id === id);
    if (existing) existing.findingIds.push(w.finding.id);
    else gates.push({ id, caps: w.gate.caps, reason: w.gate.reason, findingIds: [w.finding.id] });
  }
  return gates.sort((a, b) => gatePriority(a) - gatePriority(b));
}
