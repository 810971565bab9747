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

/**
 * The inner text of each `<name ...>...</name>` element of `xml`, in order (case-insensitive, no nesting). An
 * `indexOf` scan: once no closing tag is left, no block can follow and the scan stops, so a file of unclosed
 * `<url>` tags costs one pass (a lazy `[\s\S]*?` pattern re-read the rest of the file from every opening tag).
 */
function* elements(xml: string, lowerXml: string, name: string): Generator<string> {
  const open = `<${name}`;
  const close = `</${name}>`;
  let at = lowerXml.indexOf(open);
  while (at >= 0) {
    const after = lowerXml.charCodeAt(at + open.length);
    // `<url>` or `<url attr...>`, not `<urlset>`.
    if (after !== 62 /* > */ && after !== 32 && after !== 9 && after !== 10 && after !== 13) {
      at = lowerXml.indexOf(open, at + open.length);
      continue;
    }
    const gt = lowerXml.indexOf('>', at + open.length);
    if (gt < 0) return;
    const end = lowerXml.indexOf(close, gt + 1);
    if (end < 0) return;
    yield xml.slice(gt + 1, end);
    at = lowerXml.indexOf(open, end + close.length);
  }
}

/** ASCII lower case: keeps every offset of the original (`toLowerCase` can lengthen some non-ASCII letters). */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
}

function firstElement(xml: string, name: string): string | undefined {
  const first = elements(xml, asciiLower(xml), name).next();
  return first.done === true ? undefined : first.value;
}

export function parseSitemap(xml: string, sitemapUrl: string): SitemapDocument {
  const kind = /<sitemapindex[\s>]/i.test(xml)
    ? 'sitemapindex'
    : /<urlset[\s>]/i.test(xml)
      ? 'urlset'
      : 'unknown';
  const entries: SitemapDocument['entries'] = [];
  for (const inner of elements(xml, asciiLower(xml), kind === 'sitemapindex' ? 'sitemap' : 'url')) {
    const loc = firstElement(inner, 'loc');
    if (loc === undefined || loc.length > 4_096) continue;
    try {
      const resolved = new URL(decodeXmlText(loc), sitemapUrl);
      if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:') continue;
      const lastmod = firstElement(inner, 'lastmod');
      entries.push({
        loc: resolved.href,
        lastmod: lastmod === undefined ? null : decodeXmlText(lastmod.slice(0, 100)),
      });
    } catch {
      continue;
    }
    if (entries.length >= MAX_SITEMAP_URLS) break;
  }
  return { kind, entries };
}
