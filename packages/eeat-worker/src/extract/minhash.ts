/**
 * MinHash signatures over word shingles, for near-duplicate detection across a site (scraped or spun copies).
 * The fraction of equal signature slots estimates the Jaccard similarity of the two shingle sets.
 * Hashing is 32-bit FNV-1a for shingles and a murmur3 finaliser per permutation: fast, deterministic, no deps.
 */
import { words } from './text-normalize.js';

export const MINHASH_SIZE = 64;
const SHINGLE_WORDS = 5;

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

const SEEDS: readonly number[] = Array.from({ length: MINHASH_SIZE }, (_, i) => fmix32(0x9e3779b9 + i * 0x632be5ab));

/** Signature of a text; empty text (no shingles) gives an empty signature. */
export function minhashSignature(text: string): number[] {
  const tokens = words(text);
  if (tokens.length === 0) return [];
  const shingles = new Set<number>();
  const width = Math.min(SHINGLE_WORDS, tokens.length);
  for (let i = 0; i + width <= tokens.length; i++) shingles.add(fnv1a(tokens.slice(i, i + width).join(' ')));
  const signature = new Array<number>(MINHASH_SIZE).fill(0xffffffff);
  for (const shingle of shingles) {
    for (let k = 0; k < MINHASH_SIZE; k++) {
      const value = fmix32(shingle ^ SEEDS[k]!);
      if (value < signature[k]!) signature[k] = value;
    }
  }
  return signature;
}

/** Estimated Jaccard similarity (0..1) of two signatures; 0 when either is empty. */
export function estimateSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0 || a.length !== b.length) return 0;
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}
