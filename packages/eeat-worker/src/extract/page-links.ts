/** The page's links, sorted: site pages by kind, internal links, outbound citations, e-mail and phone links. */
import type { Citation, SiteLinkKind } from '../audit-model.js';
import type { ElementSpan } from './html-walk.js';
import { classifySiteLink, domainOf, isAffiliateLink } from './link-classes.js';
import { type LimitLog, PAGE_LIMITS } from './page-limits.js';
import { shortText } from './page-text.js';
import { safeUrl } from './page-urls.js';
import type { PageWalk } from './page-walk.js';

export interface PageLinks {
  readonly siteLinks: Array<{ kind: SiteLinkKind; url: string }>;
  readonly internalLinks: Set<string>;
  readonly citations: Citation[];
  /** Domains cited in the main content, affiliate links left out. */
  readonly citedDomains: string[];
  readonly emails: Set<string>;
  readonly phones: Set<string>;
  /** Same-site `rel=author` targets: an author's profile page. */
  readonly relAuthorUrls: string[];
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Resolves and sorts every link the walk read; the internal-link and citation caps are recorded in `limits`. */
export function readLinks(
  walk: Pick<PageWalk, 'links' | 'parts'>,
  base: URL,
  mainSpan: ElementSpan,
  limits: LimitLog,
): PageLinks {
  const siteLinks: Array<{ kind: SiteLinkKind; url: string }> = [];
  const internalLinks = new Set<string>();
  const citations: Citation[] = [];
  const emails = new Set<string>();
  const phones = new Set<string>();
  const relAuthorUrls: string[] = [];
  let internalFound = 0;
  let citationsFound = 0;
  for (const link of walk.links) {
    if (link.href.length > PAGE_LIMITS.url) continue;
    const url = safeUrl(link.href.trim(), base.href);
    if (url === null || url.href.length > PAGE_LIMITS.url) continue;
    if (url.protocol === 'mailto:') {
      const address = decodeSafely(url.pathname).split('?')[0]?.trim();
      if (address && emails.size < 100) emails.add(address.toLowerCase().slice(0, 320));
      continue;
    }
    if (url.protocol === 'tel:') {
      if (phones.size < 100) phones.add(decodeSafely(url.pathname).trim().slice(0, 40));
      continue;
    }
    url.hash = '';
    const anchor = shortText(walk.parts, link.span, PAGE_LIMITS.anchor);
    const rel = link.rel.slice(0, 200).toLowerCase();
    if (domainOf(url) === domainOf(base)) {
      if (!internalLinks.has(url.href)) {
        internalFound++;
        if (internalLinks.size < PAGE_LIMITS.internalLinks) internalLinks.add(url.href);
      }
      const kind = classifySiteLink(url, anchor, rel);
      if (
        kind !== null &&
        siteLinks.length < PAGE_LIMITS.siteLinks &&
        !siteLinks.some((s) => s.kind === kind && s.url === url.href)
      )
        siteLinks.push({ kind, url: url.href });
      if (/\bauthor\b/.test(rel) && relAuthorUrls.length < 10) relAuthorUrls.push(url.href);
      continue;
    }
    if (link.hidden) continue;
    citationsFound++;
    if (citations.length >= PAGE_LIMITS.citations) continue;
    citations.push({
      url: url.href,
      domain: domainOf(url),
      anchor,
      nofollow: /\bnofollow\b/.test(rel),
      sponsored: /\bsponsored\b/.test(rel),
      affiliate: isAffiliateLink(url, rel),
      inMainContent: link.part >= mainSpan.start && link.part < mainSpan.end && !link.boiler,
    });
  }
  limits.cut('internal links', internalFound, PAGE_LIMITS.internalLinks);
  limits.cut('citations', citationsFound, PAGE_LIMITS.citations);
  const citedDomains = [
    ...new Set(citations.filter((c) => c.inMainContent && !c.affiliate).map((c) => c.domain)),
  ];
  return { siteLinks, internalLinks, citations, citedDomains, emails, phones, relAuthorUrls };
}
