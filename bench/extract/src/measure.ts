/**
 * Measures one extractor over the corpus in this process (the parent runs one child per extractor, so each
 * gets its own peak RSS): a warm-up pass, then whole passes over the corpus until at least `--seconds` of CPU
 * time were spent. Throughput is pages per CPU-second of this single-threaded process, i.e. pages per second
 * on one core, which stays comparable when other work shares the machine; wall-clock figures are printed too.
 * Prints one JSON line.
 *
 *   node --import tsx bench/extract/src/measure.ts --impl none|apexseo|readability --corpus FILE --seconds 8
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Readability } from '@mozilla/readability';
import { JSDOM, VirtualConsole } from 'jsdom';
import { extractPageFacts } from '@apexseo/eeat-worker/analysis';
import type { CorpusPage } from './corpus.js';

const { values } = parseArgs({
  options: {
    impl: { type: 'string' },
    corpus: { type: 'string' },
    seconds: { type: 'string', default: '8' },
  },
});
const pages = JSON.parse(readFileSync(values.corpus!, 'utf8')) as CorpusPage[];
const quiet = new VirtualConsole();

/** Returns a number derived from the result so the work cannot be optimised away. */
const impls: Record<string, (page: CorpusPage) => number> = {
  /** No extraction: the floor of this process (Node, tsx, the corpus in memory) for the RSS comparison. */
  none: (page) => page.html.length,
  apexseo: (page) => extractPageFacts({ url: page.url, html: page.html }).wordCount,
  readability: (page) => {
    const dom = new JSDOM(page.html, { url: page.url, virtualConsole: quiet });
    const article = new Readability(dom.window.document).parse();
    dom.window.close();
    return article?.textContent?.length ?? 0;
  },
};

const run = impls[values.impl ?? ''];
if (!run) throw new Error(`--impl must be one of ${Object.keys(impls).join(', ')}`);

let sink = 0;
for (const page of pages.slice(0, 30)) sink += run(page);
const budgetMicros = Number(values.seconds) * 1e6;
let processed = 0;
let bytes = 0;
const cpuSpent = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return used.user + used.system;
};
const cpuStart = process.cpuUsage();
const started = performance.now();
while (cpuSpent(cpuStart) < budgetMicros) {
  for (const page of pages) {
    sink += run(page);
    processed++;
    bytes += page.html.length;
  }
}
const cpuSeconds = cpuSpent(cpuStart) / 1e6;
const wallSeconds = (performance.now() - started) / 1000;
const usage = process.resourceUsage();
console.log(
  JSON.stringify({
    impl: values.impl,
    pages: processed,
    corpusPages: pages.length,
    cpuSeconds: Math.round(cpuSeconds * 100) / 100,
    wallSeconds: Math.round(wallSeconds * 100) / 100,
    pagesPerSecond: Math.round((processed / cpuSeconds) * 10) / 10,
    wallPagesPerSecond: Math.round((processed / wallSeconds) * 10) / 10,
    mbPerSecond: Math.round((bytes / cpuSeconds / 1e6) * 100) / 100,
    peakRssMb: Math.round(usage.maxRSS / 1024),
    sink: sink > 0,
  }),
);
