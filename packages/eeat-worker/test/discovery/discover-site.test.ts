import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverSite } from '../../src/discovery/discover-site.js';
import { parseSitemap, sitemapText } from '../../src/discovery/sitemap-xml.js';
import { SafeFetcher } from '../../src/fetch/safe-fetcher.js';
import { startSampleSite, type SampleSite } from '../local-stack/sample-site-server.js';

let sample: SampleSite;
let fetcher: SafeFetcher;

beforeAll(async () => {
  sample = await startSampleSite();
  fetcher = new SafeFetcher({ allowHosts: [sample.allowHost] });
});

afterAll(async () => {
  await fetcher.close();
  await sample.close();
});

/** A one-route server for robots.txt status tests. */
async function robotsServer(
  status: number,
): Promise<{ origin: string; close: () => Promise<void>; fetcher: SafeFetcher }> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/robots.txt') res.writeHead(status).end('error');
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<a href="/a">a</a><a href="/b">b</a>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const own = new SafeFetcher({ allowHosts: [`127.0.0.1:${port}`] });
  return {
    origin: `http://127.0.0.1:${port}`,
    fetcher: own,
    close: async () => {
      await own.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('discoverSite on the sample site', () => {
  it('should find every page through the sitemap index, the gzip sitemap and links', async () => {
    const found = await discoverSite(`${sample.origin}/`, { fetcher, limits: { pages: 50, depth: 3 } });
    expect(found.urls).toHaveLength(13);
    expect(found.urls[0]).toBe(`${sample.origin}/`);
    expect(found.sitemapUrls).toBe(13);
    expect(found.robots.sitemaps).toEqual([
      `${sample.origin}/sitemap.xml`,
      `${sample.origin}/sitemap-pages.xml`,
      `${sample.origin}/sitemap-articles.xml.gz`,
    ]);
  });

  it('should record the robots-disallowed page as skipped with the deciding rule', async () => {
    const found = await discoverSite(`${sample.origin}/`, { fetcher, limits: { pages: 50, depth: 3 } });
    expect(found.skipped).toEqual([
      {
        kind: 'skipped',
        url: `${sample.origin}/private/drafts.html`,
        reason: 'robots',
        detail: 'Disallow: /private/ (robots.txt line 3)',
      },
    ]);
    expect(found.urls).not.toContain(`${sample.origin}/private/drafts.html`);
  });

  it('should stop at the page limit and record the rest as skipped', async () => {
    const found = await discoverSite(`${sample.origin}/`, { fetcher, limits: { pages: 5, depth: 3 } });
    expect(found.urls).toHaveLength(5);
    expect(found.skipped.filter((s) => s.reason === 'page_limit')).toHaveLength(8);
  });

  it('should not follow links beyond the depth limit', async () => {
    const noSitemap = await robotsServer(404);
    const found = await discoverSite(`${noSitemap.origin}/`, {
      fetcher: noSitemap.fetcher,
      limits: { pages: 50, depth: 0 },
    });
    await noSitemap.close();
    expect(found.urls).toEqual([`${noSitemap.origin}/`]);
  });
});

describe('discoverSite robots.txt status handling (RFC 9309 §2.3.1)', () => {
  it('should crawl everything when robots.txt is missing (404)', async () => {
    const server = await robotsServer(404);
    const found = await discoverSite(`${server.origin}/`, {
      fetcher: server.fetcher,
      limits: { pages: 10, depth: 2 },
    });
    await server.close();
    expect(found.robots.status).toBe('missing');
    expect(found.urls).toEqual([`${server.origin}/`, `${server.origin}/a`, `${server.origin}/b`]);
  });

  it('should skip every page when robots.txt is unreachable (503)', async () => {
    const server = await robotsServer(503);
    const found = await discoverSite(`${server.origin}/`, {
      fetcher: server.fetcher,
      limits: { pages: 10, depth: 2 },
    });
    await server.close();
    expect(found.robots.status).toBe('unreachable');
    expect(found.urls).toEqual([]);
    expect(found.skipped.map((s) => s.reason)).toEqual(['robots']);
  });
});

describe('sitemap parsing', () => {
  it('should read a gzip sitemap and resolve entities and CDATA', async () => {
    const xml =
      '<?xml version="1.0"?><urlset><url><loc>https://s.example/a?x=1&amp;y=2</loc><lastmod>2026-01-01</lastmod></url><url><loc><![CDATA[https://s.example/b]]></loc></url></urlset>';
    const doc = parseSitemap(
      await sitemapText(gzipSync(xml), 1024 * 1024),
      'https://s.example/sitemap.xml.gz',
    );
    expect(doc).toEqual({
      kind: 'urlset',
      entries: [
        { loc: 'https://s.example/a?x=1&y=2', lastmod: '2026-01-01' },
        { loc: 'https://s.example/b', lastmod: null },
      ],
    });
  });

  it('should refuse a gzip sitemap that inflates past the cap', async () => {
    await expect(sitemapText(gzipSync(Buffer.alloc(2 * 1024 * 1024)), 1024 * 1024)).rejects.toThrow();
  });

  it('should ignore non-http locations', () => {
    expect(
      parseSitemap('<urlset><url><loc>javascript:alert(1)</loc></url></urlset>', 'https://s.example/')
        .entries,
    ).toEqual([]);
  });
});
