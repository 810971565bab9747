/**
 * Text normalisation shared by extraction (hashing, shingles) and quote verification, so a quote taken from
 * the text we showed the rater matches the text we stored whatever the typography.
 */

/** Collapses runs of whitespace (incl. NBSP) to one space and trims. */
export function collapseWhitespace(text: string): string {
  return text.replace(/[\s\u00a0\u200b]+/g, ' ').trim();
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

/** Splits text into sentences (good enough for quoting: ends at . ! ? followed by space and a capital/digit). */
export function sentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+(?=["'(\p{Lu}\p{N}])/u).map((s) => s.trim()).filter((s) => s.length > 0);
}
