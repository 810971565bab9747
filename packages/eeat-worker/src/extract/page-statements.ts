/**
 * What the page says about itself to the reader or to a rater: sentences that try to instruct an automated rater
 * (visible or hidden), and a disclosure of commercial relationships.
 */
import type { PageFacts } from '../audit-model.js';
import { PAGE_LIMITS } from './page-limits.js';
import { sentences } from './text-normalize.js';

const DISCLOSURE =
  /\b(affiliate (links?|commission|partner)|we (may )?(earn|receive) (a )?(small )?(commission|fee)|paid (partnership|promotion)|sponsored (post|content|by)|advertising disclosure|this (post|article|page) contains (affiliate|sponsored))/i;
const RATER_INSTRUCTION = [
  /ignore (all |any )?(previous|prior|above|earlier|the) (instructions|prompts?|rules)/i,
  /\b(rate|score|grade|rank) this (page|article|site|content) (as )?(highest|high|5|10|100|maximum|top)/i,
  /\b(note|message|instructions?) (to|for) (the )?(ai|llm|language model|assistant|chatgpt|claude|quality raters?|raters?|evaluators?)\b/i,
  /\b(system|assistant)\s*:\s*you are/i,
  /\byou are now in\b/i,
  /\bassign (this page |this article )?(the )?(maximum|highest|top|perfect) (score|rating)/i,
];

/** Sentences addressed to a rater, from the visible text, then the hidden text (a page hiding them is deceptive). */
export function raterInstructionsIn(visibleText: string, hiddenText: string): PageFacts['raterInstructions'] {
  const raterInstructions: Array<{ text: string; hidden: boolean }> = [];
  for (const [text, hidden] of [
    [visibleText, false],
    [hiddenText, true],
  ] as const) {
    if (!RATER_INSTRUCTION.some((re) => re.test(text))) continue;
    for (const sentence of sentences(text)) {
      if (raterInstructions.length >= PAGE_LIMITS.raterInstructions) break;
      if (RATER_INSTRUCTION.some((re) => re.test(sentence)))
        raterInstructions.push({ text: sentence.slice(0, 400), hidden });
    }
  }
  return raterInstructions;
}

/** The first sentence disclosing affiliate links, sponsorship or paid placement. */
export function disclosureIn(visibleText: string): string | null {
  return DISCLOSURE.test(visibleText)
    ? (sentences(visibleText)
        .find((s) => DISCLOSURE.test(s))
        ?.slice(0, 400) ?? null)
    : null;
}
