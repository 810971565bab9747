/**
 * MinHash signatures over word shingles, for near-duplicate detection across a site (scraped or spun copies).
 * The fraction of equal signature slots estimates the Jaccard similarity of the two shingle sets.
 *
 * Each word is hashed once (32-bit FNV-1a), a 5-word shingle hash is folded from its words' hashes, and the
 * 64 permutations are derived from two mixes of the shingle hash (h1 + k*h2, Kirsch-Mitzenmacher), so a
 * page costs a few multiplications per shingle and no string building. Deterministic, no dependencies.
 */
import { words } from './text-normalize.js';

export const MINHASH_SIZE = 64;
const SHINGLE_WORDS = 5;
/** Copies share their opening; 4,000 words are plenty to tell and keep very long pages cheap. */
const MAX_WORDS = 4000;

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function fmix32(input: number): number {
  let h = input;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Signature of a text; empty text (no shingles) gives an empty signature. */
export function minhashSignature(text: string): number[] {
  const tokens = words(text.length > MAX_WORDS * 12 ? text.slice(0, MAX_WORDS * 12) : text).slice(
    0,
    MAX_WORDS,
  );
  if (tokens.length === 0) return [];
  const wordHashes = new Uint32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) wordHashes[i] = fnv1a(tokens[i]!);
  const width = Math.min(SHINGLE_WORDS, tokens.length);
  const signature = new Uint32Array(MINHASH_SIZE).fill(0xffffffff);
  const seen = new Set<number>();
  for (let i = 0; i + width <= tokens.length; i++) {
    let shingle = 0x9e3779b9;
    for (let j = 0; j < width; j++) shingle = Math.imul(shingle ^ wordHashes[i + j]!, 0x01000193) >>> 0;
    if (seen.has(shingle)) continue;
    seen.add(shingle);
    const h1 = fmix32(shingle);
    const h2 = fmix32(shingle ^ 0x5bd1e995) | 1;
    for (let k = 0; k < MINHASH_SIZE; k++) {
      const value = (h1 + Math.imul(k, h2)) >>> 0;
      if (value < signature[k]!) signature[k] = value;
    }
  }
  return Array.from(signature);
}

/** Estimated Jaccard similarity (0..1) of two signatures; 0 when either is empty. */
export function estimateSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0 || a.length !== b.length) return 0;
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}
