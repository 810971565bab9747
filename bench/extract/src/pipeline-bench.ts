/**
 * The analysis half of an audit, in one process, heuristic mode: discover (robots.txt, sitemap-less link
 * crawl), fetch through the SSRF-guarded fetcher, extract, build the site context, rate every page and
 * aggregate. No Temporal and no stores: this is the ceiling the worker's end-to-end figure can approach,
 * not that figure. Pages are the benchmark corpus served from a loopback server in this same process.
 *
 *   node --import tsx bench/extract/src/pipeline-bench.ts [--concurrency 4] [--rounds 3]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import {
  type PageAuditResult,
  type PageFacts,
  discoverSite,
  extractPageFacts,
  buildSiteContext,
  SafeFetcher,
  rateHeuristic,
  rateSite,
} from '@apexseo/eeat-worker/analysis';
import { buildCorpus } from './corpus.js';

const { values } = parseArgs({
  options: { concurrency: { type: 'string', default: '4' }, rounds: { type: 'string', default: '3' } },
});
const corpus = buildCorpus(240);
const index = `<html><body>${corpus.map((_, i) => `<a href="/p/${i}.html">page ${i}</a>`).join('')}</body></html>`;
const server = createServer((req, res) => {
  const path = req.url ?? '/';
  const match = /^\/p\/(\d+)\.html$/.exec(path);
  if (path === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(index);
  else if (match && corpus[Number(match[1])])
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(corpus[Number(match[1])]!.html);
  else res.writeHead(404).end();
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as AddressInfo).port;
const origin = `http://127.0.0.1:${port}`;
const fetcher = new SafeFetcher({ allowHosts: [`127.0.0.1:${port}`] });

async function auditOnce(): Promise<{ pages: number; seconds: number }> {
  const started = performance.now();
  const found = await discoverSite(`${origin}/`, { fetcher, limits: { pages: corpus.length + 1, depth: 1 } });
  const facts: PageFacts[] = [];
  const queue = [...found.urls];
  const workers = Array.from({ length: Number(values.concurrency) }, async () => {
    for (let url = queue.shift(); url !== undefined; url = queue.shift()) {
      const page = await fetcher.fetchPage(url);
      if (page.ok) facts.push(extractPageFacts({ url: page.page.finalUrl, html: page.page.body }));
    }
  });
  await Promise.all(workers);
  const site = buildSiteContext(origin, facts);
  const results: PageAuditResult[] = facts.map((f) => ({
    outcome: { kind: 'audited', url: f.url, finalUrl: f.url, httpStatus: 200, contentHash: f.contentHash },
    rating: rateHeuristic(f, site),
  }));
  rateSite({ siteUrl: origin, site, pages: results });
  return { pages: results.length, seconds: (performance.now() - started) / 1000 };
}

await auditOnce(); // warm-up
const runs = [];
for (let i = 0; i < Number(values.rounds); i++) runs.push(await auditOnce());
const pages = runs.reduce((s, r) => s + r.pages, 0);
const seconds = runs.reduce((s, r) => s + r.seconds, 0);
console.log(
  JSON.stringify({
    date: new Date().toISOString(),
    pagesPerAudit: runs[0]?.pages,
    rounds: runs.length,
    concurrency: Number(values.concurrency),
    pagesPerMinute: Math.round((pages / seconds) * 60),
    secondsPerAudit: runs.map((r) => Math.round(r.seconds * 100) / 100),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
await fetcher.close();
server.close();
