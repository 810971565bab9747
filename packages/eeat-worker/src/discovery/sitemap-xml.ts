/**
 * Sitemap and sitemap-index parsing (sitemaps.org protocol), for plain and gzip-compressed files.
 * A small tag scanner rather than a full XML parser: sitemaps are flat, and the scanner cannot be made to
 * expand entities (no billion-laughs) or fetch anything. At most 50,000 URLs per file, as the protocol allows.
 */
import { promisify } from 'node:util';
import { gunzip as gunzipCb } from 'node:zlib';

const gunzip = promisify(gunzipCb);
export const MAX_SITEMAP_URLS = 50_000;

export interface SitemapDocument {
  kind: 'urlset' | 'sitemapindex' | 'unknown';
  /** `<loc>` values resolved against the sitemap URL, with `lastmod` when given. */
  entries: Array<{ loc: string; lastmod: string | null }>;
}

function decodeXmlText(text: string): string {
  return text
    .replace(/^<!\[CDATA\[([\s\S]*)\]\]>$/, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

/** Undoes gzip when the bytes start with the gzip magic number (a `.xml.gz` file, not Content-Encoding). */
export async function sitemapText(bytes: Buffer, maxBytes: number): Promise<string> {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b)
    return (await gunzip(bytes, { maxOutputLength: maxBytes })).toString('utf8');
  return bytes.toString('utf8');
}

export function parseSitemap(xml: string, sitemapUrl: string): SitemapDocument {
  const kind = /<sitemapindex[\s>]/i.test(xml)
    ? 'sitemapindex'
    : /<urlset[\s>]/i.test(xml)
      ? 'urlset'
      : 'unknown';
  const entries: SitemapDocument['entries'] = [];
  const block =
    kind === 'sitemapindex'
      ? /<sitemap(?:\s[^>]*)?>([\s\S]*?)<\/sitemap>/gi
      : /<url(?:\s[^>]*)?>([\s\S]*?)<\/url>/gi;
  for (const match of xml.matchAll(block)) {
    const inner = match[1] ?? '';
    const loc = /<loc>([\s\S]*?)<\/loc>/i.exec(inner)?.[1];
    if (loc === undefined) continue;
    try {
      const resolved = new URL(decodeXmlText(loc), sitemapUrl);
      if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:') continue;
      const lastmod = /<lastmod>([\s\S]*?)<\/lastmod>/i.exec(inner)?.[1];
      entries.push({ loc: resolved.href, lastmod: lastmod === undefined ? null : decodeXmlText(lastmod) });
    } catch {
      continue;
    }
    if (entries.length >= MAX_SITEMAP_URLS) break;
  }
  return { kind, entries };
}
