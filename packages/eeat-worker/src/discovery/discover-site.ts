/**
 * Finds the pages of a site to audit: robots.txt first (RFC 9309 status handling), then the sitemaps it
 * names (or /sitemap.xml), following sitemap indexes and gzip files, then same-site links breadth-first up
 * to the depth limit. Every URL found ends in `urls` (to audit) or `skipped` (robots, page limit): nothing
 * found is silently dropped, except off-site links and non-page files, which are not part of the site.
 */
import { BOT_PRODUCT_TOKEN, type FailedPageOutcome } from '../audit-model.js';
import type { SafeFetcher } from '../fetch/safe-fetcher.js';
import { domainOf } from '../extract/link-classes.js';
import { scanLinks } from './link-scan.js';
import { RobotsTxt } from './robots-txt.js';
import { parseSitemap, sitemapText } from './sitemap-xml.js';

export interface DiscoveryLimits {
  /** At most this many URLs are returned to audit. */
  pages: number;
  /** Link depth from the start URL; sitemap URLs count as depth 1. */
  depth: number;
}

export interface DiscoveryOptions {
  fetcher: SafeFetcher;
  limits: DiscoveryLimits;
  /** robots.txt product token. Default: `ApexSEO-EEATBot`. */
  productToken?: string;
  /** Called after every fetch (Temporal activity heartbeat). */
  heartbeat?: () => void;
  /** Stops discovery early; what was found so far is returned. */
  signal?: AbortSignal;
  /** Sitemap files fetched at most (indexes included). Default: 10. */
  maxSitemaps?: number;
  /** `skipped: page limit` records kept at most (the rest are counted in `pageLimitOverflow`). Default: 100. */
  maxPageLimitSkips?: number;
  /** Longest pause honoured from a Crawl-delay, seconds. Default: 5. */
  maxCrawlDelaySeconds?: number;
}

export interface SiteDiscovery {
  urls: string[];
  skipped: FailedPageOutcome[];
  /** Pages over the page limit beyond those recorded in `skipped`. */
  pageLimitOverflow: number;
  robots: {
    status: 'parsed' | 'missing' | 'unreachable';
    sitemaps: string[];
    crawlDelaySeconds: number | null;
  };
  /** URLs read from sitemaps. */
  sitemapUrls: number;
}

const NOT_A_PAGE =
  /\.(pdf|jpe?g|png|gif|webp|avif|svg|ico|bmp|tiff?|zip|gz|tgz|rar|7z|mp[34]|m4a|mov|avi|webm|wav|ogg|css|js|mjs|json|xml|rss|atom|txt|csv|xlsx?|docx?|pptx?|woff2?|ttf|eot|exe|dmg|apk)$/i;
const TRACKING_PARAM = /^(utm_[a-z]+|gclid|fbclid|msclkid|mc_cid|mc_eid|_ga|ref_src)$/i;

/** Absolute, fragment-free, tracking-free URL, or null when it is not an http(s) URL. */
export function normalizePageUrl(href: string, base: string): string | null {
  let url: URL;
  try {
    url = new URL(href.trim(), base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.hash = '';
  for (const key of [...url.searchParams.keys()]) if (TRACKING_PARAM.test(key)) url.searchParams.delete(key);
  return url.href;
}

async function loadRobots(
  origin: string,
  fetcher: SafeFetcher,
): Promise<{ robots: RobotsTxt; status: SiteDiscovery['robots']['status'] }> {
  const result = await fetcher.fetchResource(`${origin}/robots.txt`, {
    acceptHeader: 'text/plain,*/*;q=0.5',
    accept: () => true,
  });
  if (result.ok) return { robots: RobotsTxt.parse(result.resource.body.toString('utf8')), status: 'parsed' };
  const o = result.outcome;
  // RFC 9309 §2.3.1.3: 4xx means no robots.txt (allow all); §2.3.1.4: 5xx or unreachable means disallow all.
  if (
    o.kind === 'error' &&
    o.reason === 'http_status' &&
    o.httpStatus !== undefined &&
    o.httpStatus >= 400 &&
    o.httpStatus < 500
  ) {
    return { robots: RobotsTxt.allowAll(), status: 'missing' };
  }
  return { robots: RobotsTxt.disallowAll(), status: 'unreachable' };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

export async function discoverSite(siteUrl: string, options: DiscoveryOptions): Promise<SiteDiscovery> {
  const token = options.productToken ?? BOT_PRODUCT_TOKEN;
  const start = normalizePageUrl(siteUrl, siteUrl);
  if (start === null) throw new TypeError(`siteUrl: not an http(s) URL: ${siteUrl}`);
  const startUrl = new URL(start);
  const origin = startUrl.origin;
  const site = domainOf(startUrl);
  const onSite = (url: string): boolean => domainOf(new URL(url)) === site;
  const heartbeat = options.heartbeat ?? (() => undefined);
  const aborted = (): boolean => options.signal?.aborted === true;

  const { robots, status } = await loadRobots(origin, options.fetcher);
  heartbeat();
  const delayMs = Math.min(robots.crawlDelaySeconds(token) ?? 0, options.maxCrawlDelaySeconds ?? 5) * 1000;

  // Sitemaps: the ones robots.txt names, else the conventional location.
  const sitemapQueue = (robots.sitemaps.length > 0 ? robots.sitemaps : ['/sitemap.xml'])
    .map((s) => normalizePageUrl(s, `${origin}/robots.txt`))
    .filter((s): s is string => s !== null);
  const seenSitemaps = new Set<string>();
  const fromSitemaps: string[] = [];
  while (sitemapQueue.length > 0 && seenSitemaps.size < (options.maxSitemaps ?? 10) && !aborted()) {
    const sitemapUrl = sitemapQueue.shift()!;
    if (seenSitemaps.has(sitemapUrl) || !onSite(sitemapUrl) || !robots.check(sitemapUrl, token).allowed)
      continue;
    seenSitemaps.add(sitemapUrl);
    const result = await options.fetcher.fetchResource(sitemapUrl, {
      acceptHeader: 'application/xml,text/xml,application/gzip,*/*;q=0.5',
      accept: () => true,
    });
    heartbeat();
    if (!result.ok) continue;
    let doc;
    try {
      doc = parseSitemap(await sitemapText(result.resource.body, 50 * 1024 * 1024), result.resource.finalUrl);
    } catch {
      continue; // a corrupt or oversized gzip sitemap is skipped; pages are still found by links
    }
    if (doc.kind === 'sitemapindex') sitemapQueue.push(...doc.entries.map((e) => e.loc));
    else fromSitemaps.push(...doc.entries.map((e) => e.loc).filter(onSite));
  }

  const urls: string[] = [];
  const skipped: FailedPageOutcome[] = [];
  let pageLimitOverflow = 0;
  let pageLimitSkips = 0;
  const seen = new Set<string>([start]);
  const queue: Array<{ url: string; depth: number }> = [{ url: start, depth: 0 }];
  for (const loc of fromSitemaps) {
    const url = normalizePageUrl(loc, origin);
    if (url !== null && !seen.has(url)) {
      seen.add(url);
      queue.push({ url, depth: 1 });
    }
  }

  while (queue.length > 0) {
    const { url, depth } = queue.shift()!;
    const verdict = robots.check(url, token);
    if (!verdict.allowed) {
      skipped.push({ kind: 'skipped', url, reason: 'robots', detail: verdict.reason });
      continue;
    }
    if (urls.length >= options.limits.pages) {
      // Counted, not filtered: a sitemap can list hundreds of thousands of pages past the limit.
      if (pageLimitSkips++ < (options.maxPageLimitSkips ?? 100)) {
        skipped.push({
          kind: 'skipped',
          url,
          reason: 'page_limit',
          detail: `the audit's limit of ${options.limits.pages} pages was reached`,
        });
      } else pageLimitOverflow++;
      continue;
    }
    urls.push(url);
    // Fetch for links only while the queue cannot already fill the page limit.
    if (depth >= options.limits.depth || aborted() || urls.length + queue.length >= options.limits.pages + 1)
      continue;
    if (delayMs > 0 && urls.length > 1) await sleep(delayMs, options.signal);
    const page = await options.fetcher.fetchPage(url);
    heartbeat();
    if (!page.ok) continue;
    const scan = scanLinks(page.page.body);
    if (scan.nofollow) continue;
    for (const href of scan.hrefs) {
      const next = normalizePageUrl(href, page.page.finalUrl);
      if (next === null || seen.has(next) || !onSite(next) || NOT_A_PAGE.test(new URL(next).pathname))
        continue;
      seen.add(next);
      queue.push({ url: next, depth: depth + 1 });
    }
  }
  return {
    urls,
    skipped,
    pageLimitOverflow,
    robots: { status, sitemaps: [...seenSitemaps], crawlDelaySeconds: robots.crawlDelaySeconds(token) },
    sitemapUrls: fromSitemaps.length,
  };
}
