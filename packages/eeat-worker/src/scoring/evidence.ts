/**
 * Evidence helpers: every quote a finding carries must appear verbatim in the page's visible text. The same
 * check verifies the heuristic layer's quotes and the LLM's.
 */
import type { Evidence, PageFacts } from '../audit-model.js';
import { normalizeForMatch, sentences } from '../extract/text-normalize.js';

const MAX_QUOTE = 300;

/** True when `quote` occurs in the page's visible text (up to typography and whitespace). */
export function quoteAppearsIn(quote: string, visibleText: string): boolean {
  const needle = normalizeForMatch(quote);
  return needle.length >= 3 && normalizeForMatch(visibleText).includes(needle);
}

/**
 * Caches the normalised visible text per page so verifying many quotes stays linear.
 */
export class QuoteVerifier {
  readonly #haystack: string;
  constructor(visibleText: string) {
    this.#haystack = normalizeForMatch(visibleText);
  }
  verify(quote: string): boolean {
    const needle = normalizeForMatch(quote);
    return needle.length >= 3 && this.#haystack.includes(needle);
  }
}

/** The last text split into sentences: scoring looks for a dozen patterns in the same main text. */
let split: { text: string; sentences: string[] } | null = null;

function sentencesOf(text: string): string[] {
  if (split?.text !== text) split = { text, sentences: sentences(text) };
  return split.sentences;
}

/** The first sentence of `text` matching `pattern`, shortened around the match if it is long. */
export function sentenceMatching(text: string, pattern: RegExp): string | null {
  for (const sentence of sentencesOf(text)) {
    const match = pattern.exec(sentence);
    if (!match) continue;
    if (sentence.length <= MAX_QUOTE) return sentence;
    const start = Math.max(0, match.index - 100);
    return sentence.slice(start, start + MAX_QUOTE).trim();
  }
  return null;
}

/** Quote evidence when `quote` is verbatim page text, else the same words recorded as a fact. */
export function quoteOrFact(facts: PageFacts, quote: string, verifier: QuoteVerifier): Evidence {
  return verifier.verify(quote)
    ? { kind: 'quote', quote: quote.slice(0, MAX_QUOTE), verified: true }
    : { kind: 'fact', fact: quote.slice(0, MAX_QUOTE) };
}
