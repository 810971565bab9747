/**
 * A generated site of `pages` article pages on loopback, deterministic by page number: a home page, About, Contact
 * and an author page, a sitemap index pointing at sitemaps of up to 10,000 URLs each, and article pages of a few
 * hundred words with a byline, dates, a cited source, links to neighbouring articles, and every 50th page copying
 * another (near-duplicates for the site context). Pages are rendered on request, so 50,000 pages cost no disk.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GeneratedSite {
  readonly origin: string;
  readonly allowHost: string;
  readonly pages: number;
  /** Requests answered so far. */
  requests(): number;
  close(): Promise<void>;
}

const PER_SITEMAP = 10_000;
const WORDS = (
  'health evidence study trial dose adults risk clinic patients review guidance science result method sample ' +
  'measure effect outcome data analysis report journal expert practice care support quality safety research'
).split(' ');

function paragraph(seed: number, words: number): string {
  const out: string[] = [];
  let x = seed * 2_654_435_761;
  for (let i = 0; i < words; i++) {
    x = (x * 1_103_515_245 + 12_345) >>> 0;
    out.push(WORDS[x % WORDS.length]!);
  }
  return `${out.join(' ')}.`;
}

function article(n: number, pages: number): string {
  const body = n % 50 === 25 ? Math.max(0, n - 1) : n; // every 50th page copies its neighbour
  const next = (n + 1) % pages;
  const prev = (n + pages - 1) % pages;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Article ${n} | Generated Journal</title>
<meta name="description" content="Article ${n} of the generated journal.">
<meta property="article:published_time" content="2025-${String((n % 12) + 1).padStart(2, '0')}-10T08:00:00Z">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Article","headline":"Article ${n}",
"author":{"@type":"Person","name":"Dr. Ada Writer","url":"/authors/ada.html"},
"publisher":{"@type":"Organization","name":"Generated Journal Ltd","url":"/"}}</script></head>
<body><header><nav><a href="/">Home</a> <a href="/about.html">About us</a> <a href="/contact.html">Contact</a></nav></header>
<main><article><h1>Article ${n}</h1>
<p class="byline">By <a rel="author" href="/authors/ada.html">Dr. Ada Writer</a>. Published <time datetime="2025-03-02">2 March 2025</time>.</p>
<p>${paragraph(body, 120)}</p><h2>What the evidence says</h2><p>${paragraph(body + 7, 160)}</p>
<p>Source: <a href="https://example.org/study/${body % 997}">study ${body % 997}</a>.</p>
<p>${paragraph(body + 13, 100)}</p>
<p>Read next: <a href="/a/${next}.html">article ${next}</a>, <a href="/a/${prev}.html">article ${prev}</a>.</p>
</article></main><footer><a href="/privacy.html">Privacy policy</a> contact@generated.example</footer></body></html>`;
}

function simplePage(title: string, text: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body><main><h1>${title}</h1><p>${text}</p><p>Generated Journal Ltd, 1 Example Street, London. contact@generated.example</p></main></body></html>`;
}

function route(pathname: string, origin: string, pages: number): { type: string; body: string } | null {
  const html = (body: string) => ({ type: 'text/html; charset=utf-8', body });
  const xml = (body: string) => ({ type: 'application/xml; charset=utf-8', body });
  if (pathname === '/robots.txt')
    return {
      type: 'text/plain; charset=utf-8',
      body: `User-agent: *\nAllow: /\nSitemap: ${origin}/sitemap.xml\n`,
    };
  if (pathname === '/sitemap.xml') {
    const maps = Math.ceil(pages / PER_SITEMAP);
    const entries = Array.from(
      { length: maps },
      (_, i) => `<sitemap><loc>${origin}/sitemap-${i}.xml</loc></sitemap>`,
    );
    return xml(
      `<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${entries.join('')}</sitemapindex>`,
    );
  }
  const sitemap = /^\/sitemap-(\d+)\.xml$/.exec(pathname);
  if (sitemap) {
    const first = Number(sitemap[1]) * PER_SITEMAP;
    const urls: string[] = [];
    for (let n = first; n < Math.min(pages, first + PER_SITEMAP); n++)
      urls.push(`<url><loc>${origin}/a/${n}.html</loc></url>`);
    return xml(
      `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${urls.join('')}</urlset>`,
    );
  }
  if (pathname === '/')
    return html(
      simplePage('Generated Journal', 'Articles on health evidence. <a href="/a/0.html">First article</a>'),
    );
  if (pathname === '/about.html') return html(simplePage('About us', 'Who we are and how we check facts.'));
  if (pathname === '/contact.html') return html(simplePage('Contact', 'Write to us.'));
  if (pathname === '/privacy.html') return html(simplePage('Privacy policy', 'What we keep.'));
  if (pathname === '/authors/ada.html') return html(simplePage('Dr. Ada Writer', 'Physician and editor.'));
  const page = /^\/a\/(\d+)\.html$/.exec(pathname);
  if (page && Number(page[1]) < pages) return html(article(Number(page[1]), pages));
  return null;
}

export async function startGeneratedSite(pages: number): Promise<GeneratedSite> {
  let requests = 0;
  let origin = '';
  const server: Server = createServer((req, res) => {
    requests++;
    const found = route(new URL(req.url ?? '/', 'http://site.invalid').pathname, origin, pages);
    if (!found) {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>');
      return;
    }
    const body = Buffer.from(found.body);
    res.writeHead(200, { 'content-type': found.type, 'content-length': String(body.length) }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    allowHost: `127.0.0.1:${port}`,
    pages,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
