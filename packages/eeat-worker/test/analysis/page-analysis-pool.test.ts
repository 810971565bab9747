import { afterAll, describe, expect, it } from 'vitest';
import { PageFactsSchema } from '../../src/audit-model.js';
import { PageAnalysisPool, PageTooComplexError } from '../../src/analysis/page-analysis-pool.js';
import { extractPageFacts } from '../../src/extract/page-facts.js';
import { buildSiteContext, siteContextOfPage } from '../../src/extract/site-context.js';
import { rateHeuristic } from '../../src/scoring/heuristic-rating.js';
import { sampleHtml } from '../extract/sample-pages.js';

const URL_ = 'https://pool.example/articles/guide.html';
/** About 6 MB of real work for the extractor (seconds of CPU): far more than a 500 ms deadline allows. */
const SLOW_PAGE = `<html><body><main>${'<p>Some words, and more words <a href="/x">here</a>.</p>'.repeat(110_000)}</main></body></html>`;
/** About a million elements: a DOM far larger than a 64 MB heap. */
const HEAVY_PAGE = `<html><body>${'<b>x</b>'.repeat(1_200_000)}</body></html>`;

const pools: PageAnalysisPool[] = [];
function pool(options: ConstructorParameters<typeof PageAnalysisPool>[0]): PageAnalysisPool {
  const created = new PageAnalysisPool(options);
  pools.push(created);
  return created;
}

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe('PageAnalysisPool', () => {
  it('should extract and rate a page in a thread with the same result as in process', async () => {
    const threads = pool({ threads: 1 });
    const input = { url: URL_, html: sampleHtml('articles/vitamin-d-guide.html') };
    const facts = await threads.extract(input);
    expect(facts).toEqual(PageFactsSchema.parse(extractPageFacts(input)));
    const site = buildSiteContext('https://pool.example', [facts]);
    expect(await threads.rate(facts, site)).toEqual(rateHeuristic(facts, site));
  });

  it("should rate with the page's own duplicate entry of a large site, as in process", async () => {
    const threads = pool({ threads: 1 });
    const facts = await threads.extract({ url: URL_, html: sampleHtml('articles/vitamin-d-guide.html') });
    const site = buildSiteContext('https://pool.example', [facts]);
    const copies = Object.fromEntries(
      Array.from({ length: 50_000 }, (_, i) => [
        `https://pool.example/copies/${i}.html`,
        { of: URL_, similarity: 0.9 },
      ]),
    );
    for (const duplicates of [
      copies,
      { ...copies, [URL_]: { of: 'https://pool.example/original.html', similarity: 0.95 } },
    ]) {
      const large = { ...site, duplicates };
      expect(await threads.rate(facts, large)).toEqual(rateHeuristic(facts, large));
      expect(Object.keys(siteContextOfPage(large, URL_).duplicates)).toEqual(duplicates[URL_] ? [URL_] : []);
    }
  });

  it('should end a page past its deadline as too complex, naming the step, and keep the event loop free meanwhile', async () => {
    const threads = pool({ threads: 1, budget: { deadlineMs: 500 } });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const started = performance.now();
    const error = await threads.extract({ url: URL_, html: SLOW_PAGE }).catch((err: unknown) => err);
    const elapsed = performance.now() - started;
    clearInterval(ticker);
    expect(error).toBeInstanceOf(PageTooComplexError);
    expect((error as PageTooComplexError).outcome(URL_)).toEqual({
      kind: 'error',
      url: URL_,
      reason: 'too_complex',
      detail: 'extraction exceeded its 500 ms time budget',
    });
    // The activity's event loop ran its timers while the page ran in its thread.
    expect(ticks).toBeGreaterThan(0);
    expect(elapsed).toBeLessThan(10_000);
  });

  it('should end a page past its heap limit as too complex and serve the next page on a new thread', async () => {
    // 64 MB: enough for a replacement thread to load the analysis code (through tsx here), far too little for the page.
    const threads = pool({ threads: 1, budget: { heapMb: 64, deadlineMs: 60_000 } });
    const error = await threads.extract({ url: URL_, html: HEAVY_PAGE }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PageTooComplexError);
    expect((error as PageTooComplexError).message).toBe('extraction exceeded its 64 MB memory budget');
    const next = await threads.extract({ url: URL_, html: '<h1>Next page</h1><p>Fine.</p>' });
    expect(next.h1).toEqual(['Next page']);
  });

  it('should run pages beyond its thread count one after another, each with its own deadline', async () => {
    const threads = pool({ threads: 1, budget: { deadlineMs: 5_000 } });
    const pages = Array.from({ length: 6 }, (_, i) =>
      threads.extract({ url: URL_, html: `<h1>Page ${i}</h1>` }),
    );
    expect((await Promise.all(pages)).map((f) => f.h1[0])).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => `Page ${i}`),
    );
  });
});
