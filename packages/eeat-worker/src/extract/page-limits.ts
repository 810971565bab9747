/**
 * Caps on everything a page controls in its facts. A page decides how many links, headings, authors and JSON-LD
 * nodes it has and how long each string is; without caps a 5 MB page of links became 11.5 MB of facts and a
 * prompt of millions of characters. Every cap that cuts something is recorded in `PageFacts.limitsHit`, so a
 * report can say the facts are partial and why.
 *
 * The figures leave ordinary pages untouched (the largest real pages have a few thousand links and a few
 * hundred headings) and keep the stored facts of any page under `MAX_FACTS_CHARS`.
 */
export const PAGE_LIMITS = {
  /** Characters of main and of visible text kept, and read by every pattern scan (about 60,000 words). */
  text: 400_000,
  /** Characters of hidden text scanned for rater instructions. */
  hiddenText: 100_000,
  /** Characters of the title, of a heading, of a byline, of a meta value. */
  title: 500,
  heading: 300,
  headings: 100,
  meta: 1_000,
  /** Characters of a URL kept (longer ones are dropped, not cut: a cut URL is a different URL). */
  url: 2_048,
  anchor: 200,
  internalLinks: 2_000,
  citations: 500,
  siteLinks: 50,
  /** Links read from the page at all: the rest are counted, not resolved. */
  linksRead: 5_000,
  authors: 10,
  sameAs: 10,
  organizations: 10,
  forms: 20,
  images: 100_000,
  raterInstructions: 20,
  /** JSON-LD: blocks read, characters per block, nesting depth walked, typed nodes read, characters per value. */
  jsonLdBlocks: 20,
  jsonLdBlockChars: 200_000,
  jsonLdDepth: 16,
  jsonLdNodes: 200,
  jsonLdTypes: 50,
  jsonLdValue: 500,
} as const;

/** Hard limit of one page's stored facts, as JSON characters (the texts shrink until they fit). */
export const MAX_FACTS_CHARS = 1_500_000;

/** What was cut while extracting one page: `internal links: 100000 found, 2000 kept`. */
export class LimitLog {
  readonly #hits = new Map<string, string>();

  /** Records that `what` had `found` items (or characters) of which `kept` were kept, when it was cut. */
  cut(what: string, found: number, kept: number): void {
    if (found > kept) this.#hits.set(what, `${what}: ${found} found, ${kept} kept`);
  }

  note(what: string, detail: string): void {
    this.#hits.set(what, `${what}: ${detail}`);
  }

  list(): string[] {
    return [...this.#hits.values()];
  }
}

/** `text` cut to `max` characters (recorded when cut). */
export function clip(text: string, max: number, log?: LimitLog, what?: string): string {
  if (text.length <= max) return text;
  if (log && what) log.cut(what, text.length, max);
  return text.slice(0, max);
}
