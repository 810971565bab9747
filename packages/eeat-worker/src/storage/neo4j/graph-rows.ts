/** The shape of one page as the graph stores it, built from its extracted facts and its rating. */
import { createHash } from 'node:crypto';
import type { PageFacts, PageRating } from '../../audit-model.js';
import { pageIdOf } from '../tenant-keys.js';

export interface PageGraphRow {
  pageId: string;
  url: string;
  title: string;
  level: string | null;
  trust: number | null;
  purpose: string | null;
  ymylClass: string | null;
  outcome: string;
  authors: { authorKey: string; name: string; url: string | null; sameAs: string[] }[];
  publisher: { orgKey: string; name: string; url: string | null } | null;
  citations: { domain: string; count: number }[];
  topic: string | null;
}

/**
 * An author's identity: a profile URL or first sameAs link when there is one (a real entity), otherwise the
 * site plus the normalised byline name (a weaker identity, but stable across pages of the same site).
 */
export function authorKeyOf(
  siteKey: string,
  author: { name: string; url: string | null; sameAs: string[] },
): string {
  const strong = author.url ?? author.sameAs[0];
  const basis = strong
    ? `url:${strong.toLowerCase()}`
    : `name:${siteKey}:${author.name.trim().toLowerCase().replace(/\s+/g, ' ')}`;
  return createHash('sha256').update(basis).digest('hex').slice(0, 32);
}

export function orgKeyOf(siteKey: string, org: { name: string; url: string | null }): string {
  const basis = org.url ? `url:${org.url.toLowerCase()}` : `name:${siteKey}:${org.name.trim().toLowerCase()}`;
  return createHash('sha256').update(basis).digest('hex').slice(0, 32);
}

export function pageGraphRow(
  siteKey: string,
  url: string,
  outcome: string,
  facts: PageFacts | null,
  rating: PageRating | null,
): PageGraphRow {
  const counts = new Map<string, number>();
  for (const citation of facts?.citations ?? [])
    counts.set(citation.domain, (counts.get(citation.domain) ?? 0) + 1);
  const ymyl = rating?.ymyl.class ?? null;
  const seenAuthors = new Set<string>();
  const authors: PageGraphRow['authors'] = [];
  for (const author of facts?.authors ?? []) {
    const authorKey = authorKeyOf(siteKey, author);
    if (seenAuthors.has(authorKey)) continue;
    seenAuthors.add(authorKey);
    authors.push({ authorKey, name: author.name, url: author.url, sameAs: author.sameAs });
  }
  return {
    pageId: pageIdOf(url),
    url,
    title: facts?.title ?? '',
    level: rating?.level ?? null,
    trust: rating?.dimensions.trust.score ?? null,
    purpose: rating?.purpose ?? null,
    ymylClass: ymyl,
    outcome,
    authors,
    publisher: facts?.publisher
      ? { orgKey: orgKeyOf(siteKey, facts.publisher), name: facts.publisher.name, url: facts.publisher.url }
      : null,
    citations: [...counts].map(([domain, count]) => ({ domain, count })),
    topic: ymyl && ymyl !== 'none' ? ymyl : null,
  };
}
