/**
 * Text normalisation shared by extraction (hashing, shingles) and quote verification, so a quote taken from
 * the text we showed the rater matches the text we stored whatever the typography.
 */

/** Collapses runs of whitespace (incl. NBSP) to one space and trims. */
export function collapseWhitespace(text: string): string {
  return text.replace(/[\s\u00a0\u200b]{2,}|[\t\n\r\f\v\u00a0\u200b]/g, ' ').trim();
}

/**
 * The form quotes are compared in: NFKC, curly quotes and dashes made plain, ellipsis spelled out,
 * whitespace collapsed, lower case. Verbatim up to typography, never up to wording.
 */
export function normalizeForMatch(text: string): string {
  return collapseWhitespace(
    text
      .normalize('NFKC')
      .replace(/[\u2018\u2019\u201a\u201b\u2032]/g, "'")
      .replace(/[\u201c\u201d\u201e\u201f\u2033]/g, '"')
      .replace(/[\u2010-\u2015\u2212]/g, '-')
      .replace(/\u2026/g, '...'),
  ).toLowerCase();
}

/** Lower-case word tokens (letters and digits), for shingles and word counts. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? [];
}

const ABBREVIATION =
  /(?:^|\s)(?:Dr|Mr|Mrs|Ms|Mx|Prof|Sr|Jr|St|vs|etc|e\.g|i\.e|Inc|Ltd|Co|No|Fig|approx|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.$/;
/** Longer than the longest abbreviation above plus the character before it, so a tail decides like the whole. */
const ABBREVIATION_TAIL = 16;

/** True when `text` ends with an abbreviation; reads only its last few characters, whatever its length. */
function endsWithAbbreviation(text: string): boolean {
  return ABBREVIATION.test(text.length > ABBREVIATION_TAIL ? text.slice(-ABBREVIATION_TAIL) : text);
}

/**
 * Splits text into sentences: at . ! ? followed by a space and a capital, digit or quote, except after common
 * abbreviations ("Dr. Chen"). Good enough for quoting evidence. Linear in the text: the abbreviation test reads
 * the tail of each piece, never the sentence being built (a page of "Dr. A Dr. A ..." is one long sentence).
 */
export function sentences(text: string): string[] {
  const pieces = text.split(/(?<=[.!?])\s+(?=["'(\p{Lu}\p{N}])/u);
  const out: string[] = [];
  let pending: string[] = [];
  const flush = (): void => {
    const trimmed = pending.join(' ').trim();
    if (trimmed !== '') out.push(trimmed);
    pending = [];
  };
  for (const piece of pieces) {
    pending.push(piece);
    // Only the character before an abbreviation matters: the start of the text, or the space joining pieces.
    const tail = piece.slice(-ABBREVIATION_TAIL);
    if (!endsWithAbbreviation(pending.length === 1 ? tail : ` ${tail}`)) flush();
  }
  flush();
  return out;
}
