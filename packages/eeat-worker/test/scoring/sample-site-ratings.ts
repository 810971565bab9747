/** Fetches the sample site from a real loopback server, extracts every page and rates it heuristically. */
import type { PageFacts, PageRating, SiteContext } from '../../src/audit-model.js';
import { extractPageFacts } from '../../src/extract/page-facts.js';
import { buildSiteContext } from '../../src/extract/site-context.js';
import { SafeFetcher } from '../../src/fetch/safe-fetcher.js';
import { startSampleSite } from '../local-stack/sample-site-server.js';
import { rateHeuristic } from '../../src/scoring/heuristic-rating.js';
import { samplePagePaths } from '../extract/sample-pages.js';

export interface RatedSample {
  origin: string;
  site: SiteContext;
  facts: Map<string, PageFacts>;
  ratings: Map<string, PageRating>;
}

export async function rateSampleSite(): Promise<RatedSample> {
  const server = await startSampleSite();
  const fetcher = new SafeFetcher({ allowHosts: [server.allowHost] });
  try {
    const facts = new Map<string, PageFacts>();
    for (const path of samplePagePaths()) {
      const result = await fetcher.fetchPage(`${server.origin}/${path}`);
      if (!result.ok) throw new Error(`sample page ${path} did not fetch: ${JSON.stringify(result.outcome)}`);
      facts.set(path, extractPageFacts({ url: result.page.finalUrl, html: result.page.body }));
    }
    const site = buildSiteContext(server.origin, [...facts.values()]);
    const ratings = new Map([...facts].map(([path, f]) => [path, rateHeuristic(f, site)]));
    return { origin: server.origin, site, facts, ratings };
  } finally {
    await fetcher.close();
    await server.close();
  }
}
