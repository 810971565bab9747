/**
 * Classifies links: which ones lead to the site's About/Contact/policy/author pages, which leave the site,
 * and which are monetised (affiliate networks, tracking parameters, rel=sponsored). The QRG counts monetised
 * links of any kind as Ads (§2.4.3), and an undisclosed commercial relationship is a trust problem (§3.4).
 */
import type { SiteLinkKind } from '../audit-model.js';

const SITE_LINK_RULES: ReadonlyArray<{ kind: SiteLinkKind; path: RegExp; text: RegExp }> = [
  {
    kind: 'about',
    path: /\/(about|about-us|who-we-are|our-story|team|impressum)(\/|\.html?$|$)/i,
    text: /^(about( us)?|who we are|our (story|team)|impressum)$/i,
  },
  {
    kind: 'contact',
    path: /\/(contact|contact-us|support|help|customer-service)(\/|\.html?$|$)/i,
    text: /^(contact( us)?|get in touch|customer (service|support)|support)$/i,
  },
  {
    kind: 'privacy',
    path: /\/(privacy|privacy-policy|data-protection|cookies?)(\/|\.html?$|$)/i,
    text: /privacy|data protection/i,
  },
  {
    kind: 'terms',
    path: /\/(terms|tos|terms-of-service|terms-and-conditions|legal)(\/|\.html?$|$)/i,
    text: /^terms|conditions of use|legal notice/i,
  },
  {
    kind: 'editorial',
    path: /\/(editorial|editorial-policy|ethics|corrections|fact-check(ing)?|how-we-(test|review))(\/|\.html?$|$)/i,
    text: /editorial (policy|standards|guidelines)|corrections policy|how we (test|review)/i,
  },
  {
    kind: 'returns',
    path: /\/(returns|refunds?|shipping|delivery)(\/|\.html?$|$)/i,
    text: /returns|refund|shipping (policy|information)/i,
  },
  { kind: 'author', path: /\/(authors?|people|contributors?|staff|team|profile)\/[^/]+/i, text: /^$/ },
];

export function classifySiteLink(url: URL, anchorText: string, rel: string): SiteLinkKind | null {
  if (/\bauthor\b/i.test(rel)) return 'author';
  const text = anchorText.trim();
  for (const rule of SITE_LINK_RULES) {
    if (rule.path.test(url.pathname) || (text !== '' && rule.text.test(text))) return rule.kind;
  }
  return null;
}

/** Host without `www.`, lower-cased. */
export function domainOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^www\./, '');
}

/** The site a host belongs to, for same-site checks: the host without `www.`. */
export function sameSite(a: URL, b: URL): boolean {
  return domainOf(a) === domainOf(b);
}

const AFFILIATE_HOSTS =
  /(^|\.)(awin1\.com|anrdoezrs\.net|jdoqocy\.com|tkqlhce\.com|dpbolvw\.net|kqzyfj\.com|commission-junction\.com|go\.skimresources\.com|skimlinks\.com|shareasale\.com|linksynergy\.com|click\.linksynergy\.com|impact\.com|sjv\.io|pntra\.com|avantlink\.com|partnerize\.com|prf\.hn|amzn\.to|rstyle\.me|shopstyle\.it|clickbank\.net|hop\.clickbank\.net|tradedoubler\.com|webgains\.com|flexoffers\.com|refersion\.com)$/i;
const AFFILIATE_PARAMS =
  /^(ref|affid|aff_id|affiliate|aff|tag|awinaffid|clickref|irclickid|subid|partner|pid|utm_medium)$/i;

/** Looks like a monetised link: an affiliate network host, an affiliate parameter, or rel=sponsored. */
export function isAffiliateLink(url: URL, rel: string): boolean {
  if (/\bsponsored\b/i.test(rel)) return true;
  if (AFFILIATE_HOSTS.test(url.hostname)) return true;
  for (const [key, value] of url.searchParams) {
    if (
      AFFILIATE_PARAMS.test(key) &&
      (key.toLowerCase() !== 'utm_medium' || /affiliate|partner/i.test(value))
    )
      return true;
    if (key.toLowerCase() === 'utm_source' && /affiliate/i.test(value)) return true;
  }
  return false;
}
