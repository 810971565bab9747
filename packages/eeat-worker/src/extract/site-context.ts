/**
 * Builds what the site as a whole says about itself from every audited page's facts: where its About,
 * Contact and policy pages are, its contact details, its authors' profile pages, and which pages copy
 * which (near-duplicates by MinHash, with locality-sensitive banding so large sites do not cost n²).
 */
import type { PageFacts, SiteContext, SiteLinkKind } from '../audit-model.js';
import { estimateSimilarity, MINHASH_SIZE } from './minhash.js';

/** Pages at least this similar (estimated Jaccard of 5-word shingles) count as copies of each other. */
export const NEAR_DUPLICATE_THRESHOLD = 0.5;
/** Pages shorter than this are too small to call copies (navigation pages share boilerplate). */
const MIN_WORDS_FOR_DUPLICATE = 80;
const BANDS = 16;
const ROWS = MINHASH_SIZE / BANDS;

/** What the site context reads of each page's facts (a large site's texts never need to be held at once). */
export type SiteContextPage = Pick<
  PageFacts,
  | 'url'
  | 'pageKind'
  | 'h1'
  | 'siteLinks'
  | 'contact'
  | 'authors'
  | 'publisher'
  | 'wordCount'
  | 'minhash'
  | 'contentHash'
  | 'dates'
  | 'citedDomains'
  | 'jsonLdTypes'
  | 'https'
>;

const PAGE_KIND_TO_LINK: Partial<Record<PageFacts['pageKind'], SiteLinkKind>> = {
  about: 'about',
  contact: 'contact',
  privacy: 'privacy',
  terms: 'terms',
  editorial: 'editorial',
};

/** "Dr. Maya Chen, MD" -> "maya chen": the key that joins a byline to an author page. */
export function authorKey(name: string): string {
  return name
    .toLowerCase()
    .split(',')[0]!
    .replace(/\b(dr|prof|professor|mr|mrs|ms|mx|sir|dame)\.?\s+/g, '')
    .replace(/[^\p{L}\p{N} '-]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** How strongly a page looks like the original of a copied text: named author, dates, sources, markup. */
function provenance(page: SiteContextPage): number {
  return (
    (page.authors.length > 0 ? 4 : 0) +
    (page.dates.published !== null ? 2 : 0) +
    (page.citedDomains.length > 0 ? 1 : 0) +
    (page.jsonLdTypes.some((t) => /Article|BlogPosting|Report/.test(t)) ? 1 : 0)
  );
}

function isOriginal(a: SiteContextPage, b: SiteContextPage): boolean {
  const pa = provenance(a);
  const pb = provenance(b);
  if (pa !== pb) return pa > pb;
  const da = a.dates.published ?? '9999';
  const db = b.dates.published ?? '9999';
  if (da !== db) return da < db;
  return a.url < b.url;
}

function findDuplicates(pages: readonly SiteContextPage[]): SiteContext['duplicates'] {
  const candidates = pages.filter(
    (p) => p.wordCount >= MIN_WORDS_FOR_DUPLICATE && p.minhash.length === MINHASH_SIZE,
  );
  const buckets = new Map<string, number[]>();
  candidates.forEach((page, index) => {
    for (let band = 0; band < BANDS; band++) {
      const key = `${band}:${page.minhash.slice(band * ROWS, band * ROWS + ROWS).join(',')}`;
      const bucket = buckets.get(key);
      if (bucket) bucket.push(index);
      else buckets.set(key, [index]);
    }
  });
  const best = new Map<string, { of: string; similarity: number }>();
  const compared = new Set<string>();
  for (const bucket of buckets.values()) {
    for (let i = 0; i < bucket.length; i++) {
      for (let j = i + 1; j < bucket.length; j++) {
        const a = candidates[bucket[i]!]!;
        const b = candidates[bucket[j]!]!;
        const pair = `${bucket[i]}:${bucket[j]}`;
        if (compared.has(pair)) continue;
        compared.add(pair);
        const similarity = a.contentHash === b.contentHash ? 1 : estimateSimilarity(a.minhash, b.minhash);
        if (similarity < NEAR_DUPLICATE_THRESHOLD) continue;
        const [original, copy] = isOriginal(a, b) ? [a, b] : [b, a];
        const current = best.get(copy.url);
        if (!current || current.similarity < similarity) best.set(copy.url, { of: original.url, similarity });
      }
    }
  }
  // A page recorded as the original of one pair may itself be a copy of another: keep only copies of
  // pages that are not copies themselves, pointing at the root original.
  const result: SiteContext['duplicates'] = {};
  for (const [copy, entry] of best) {
    let root = entry.of;
    for (let hops = 0; hops < 10 && best.has(root); hops++) root = best.get(root)!.of;
    if (root !== copy) result[copy] = { of: root, similarity: entry.similarity };
  }
  return result;
}

export function buildSiteContext(origin: string, pages: readonly SiteContextPage[]): SiteContext {
  const sitePages: SiteContext['pages'] = {};
  for (const page of pages) {
    const kind = PAGE_KIND_TO_LINK[page.pageKind];
    if (kind !== undefined && sitePages[kind] === undefined) sitePages[kind] = page.url;
  }
  const linkVotes = new Map<string, number>();
  for (const page of pages)
    for (const link of page.siteLinks)
      linkVotes.set(`${link.kind} ${link.url}`, (linkVotes.get(`${link.kind} ${link.url}`) ?? 0) + 1);
  const byVotes = [...linkVotes.entries()].sort((x, y) => y[1] - x[1]);
  for (const [key] of byVotes) {
    const [kind, url] = key.split(' ') as [SiteLinkKind, string];
    if (kind !== 'author' && sitePages[kind] === undefined) sitePages[kind] = url;
  }

  const emails = new Set<string>();
  const phones = new Set<string>();
  let hasAddress = false;
  for (const page of pages) {
    page.contact.emails.forEach((e) => emails.add(e));
    page.contact.phones.forEach((p) => phones.add(p));
    hasAddress ||= page.contact.hasAddress;
  }

  const authorPages: Record<string, string> = {};
  for (const page of pages) {
    if (page.pageKind === 'author' && page.h1[0]) authorPages[authorKey(page.h1[0])] ??= page.url;
  }
  for (const page of pages) {
    for (const author of page.authors) {
      if (author.url !== null && author.url.startsWith(origin))
        authorPages[authorKey(author.name)] ??= author.url;
    }
  }

  return {
    origin,
    pages: sitePages,
    contact: { emails: [...emails].slice(0, 20), phones: [...phones].slice(0, 20), hasAddress },
    authorPages,
    publisher: pages.find((p) => p.publisher !== null)?.publisher ?? null,
    duplicates: findDuplicates(pages),
    https: pages.length > 0 && pages.every((p) => p.https),
  };
}

/**
 * The site context as one page's rating reads it: the duplicate map (one entry per copied page, so it grows with
 * the site) reduced to the page's own entry. Rating a page of a 50,000-page site must not copy the whole map.
 */
export function siteContextOfPage(site: SiteContext, url: string): SiteContext {
  const duplicate = site.duplicates[url];
  return { ...site, duplicates: duplicate ? { [url]: duplicate } : {} };
}
