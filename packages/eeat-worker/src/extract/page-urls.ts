/** URLs a page links to: only web, mail and phone links are read, and over-long ones are dropped, not cut. */
import { PAGE_LIMITS } from './page-limits.js';

/** `href` resolved against `base` when it is an http(s), mailto or tel link. */
export function safeUrl(href: string, base: string): URL | null {
  try {
    const url = new URL(href, base);
    return url.protocol === 'http:' ||
      url.protocol === 'https:' ||
      url.protocol === 'mailto:' ||
      url.protocol === 'tel:'
      ? url
      : null;
  } catch {
    return null;
  }
}

/** The URL's text, or null when it is missing or longer than the URL limit (a cut URL is a different URL). */
export function keptUrl(url: URL | null): string | null {
  return url === null || url.href.length > PAGE_LIMITS.url ? null : url.href;
}
