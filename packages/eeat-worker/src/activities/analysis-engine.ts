/**
 * The AuditEngine over this package's analysis modules: the SSRF-safe fetcher, the extractor, site context,
 * discovery (robots.txt, sitemaps, links) and the two scoring layers.
 */
import type { LlmClient } from '@apexseo/worker-sdk';
import type { PageFacts, PageRating, SiteContext, SiteRating, SiteRatingInput } from '../audit-model.js';
import { discoverSite } from '../discovery/discover-site.js';
import { buildSiteContext } from '../extract/site-context.js';
import { SafeFetcher } from '../fetch/safe-fetcher.js';
import { PrivateHostAllowance } from '../fetch/private-host-allowance.js';
import {
  PageAnalysisPool,
  type PageAnalysisPoolOptions,
  PageTooComplexError,
} from '../analysis/page-analysis-pool.js';
import { rateSite } from '../scoring/site-rating.js';
import { MemoryRubricCache, rateWithLlm, type RubricCache } from '../scoring/llm/rate-with-llm.js';
import type { SiteContextPage } from '../extract/site-context.js';
import type { AuditLimits } from '../workflows/audit-workflow-types.js';
import type { AuditEngine, CollectOutcome, DiscoveryOutcome } from './audit-engine.js';

/**
 * One fetcher per distinct allow-list (the allow-list is a connector option); kept for the worker's life. An
 * audit's `allowHosts` reach the fetcher only where the worker's own `PrivateHostAllowance` permits them: an audit
 * input cannot open the SSRF guard on a worker that was not started to allow it.
 */
class FetcherPool {
  private readonly fetchers = new Map<string, SafeFetcher>();
  constructor(private readonly allowance: PrivateHostAllowance) {}
  get(requested: readonly string[]): SafeFetcher {
    const allowHosts = this.allowance.permitted(requested);
    const key = [...allowHosts].sort().join(',');
    let fetcher = this.fetchers.get(key);
    if (!fetcher) {
      fetcher = new SafeFetcher({ allowHosts });
      this.fetchers.set(key, fetcher);
    }
    return fetcher;
  }
}

export interface AnalysisEngineOptions {
  /**
   * Where validated rubric answers are kept, per tenant (content hash + rubric + model): an unchanged page costs
   * no tokens on re-audit. Scoped per tenant: one tenant's key never pays for, and a paused tenant never skips its
   * pause through, another tenant's answers. The worker passes the shared ClickHouse cache; default: a bounded
   * in-process cache.
   */
  readonly rubricCache?: (tenantId: string) => RubricCache;
  /** Private destinations this worker may fetch when an audit asks (demo and tests). @default none */
  readonly privateHosts?: PrivateHostAllowance;
  /** The analysis threads and each page's budget. */
  readonly analysis?: PageAnalysisPoolOptions;
}

export function createAnalysisEngine(options: AnalysisEngineOptions = {}): AuditEngine {
  const fetchers = new FetcherPool(options.privateHosts ?? PrivateHostAllowance.none());
  const analysis = new PageAnalysisPool(options.analysis);
  const tenantCache = options.rubricCache ?? memoryRubricCache();

  return {
    async discover(siteUrl: string, limits: AuditLimits, options): Promise<DiscoveryOutcome> {
      const found = await discoverSite(siteUrl, {
        fetcher: fetchers.get(options.allowHosts),
        limits: { pages: limits.pages, depth: limits.depth },
        heartbeat: options.heartbeat,
        signal: options.signal,
        // Depth 0 audits the start URL alone (auditPage): robots.txt is still obeyed, sitemaps are not read.
        ...(limits.depth === 0 ? { maxSitemaps: 0 } : {}),
      });
      return { urls: found.urls, skipped: found.skipped };
    },

    async collect(url, options): Promise<CollectOutcome> {
      const fetched = await fetchers.get(options.allowHosts).fetchPage(url);
      if (!fetched.ok) return { ok: false, outcome: fetched.outcome };
      const page = fetched.page;
      if (new URL(page.finalUrl).origin !== new URL(options.siteUrl).origin) {
        return {
          ok: false,
          outcome: { kind: 'skipped', url, reason: 'off_site', detail: `redirected to ${page.finalUrl}` },
        };
      }
      try {
        const facts = await analysis.extract({ url: page.finalUrl, html: page.body });
        return { ok: true, facts, finalUrl: page.finalUrl, httpStatus: page.status };
      } catch (err) {
        if (err instanceof PageTooComplexError) return { ok: false, outcome: err.outcome(url) };
        throw err;
      }
    },

    siteContext(siteUrl: string, facts: readonly SiteContextPage[]): SiteContext {
      return buildSiteContext(new URL(siteUrl).origin, facts);
    },

    rateHeuristic(facts: PageFacts, site: SiteContext): Promise<PageRating> {
      return analysis.rate(facts, site);
    },

    async rateWithLlm(facts: PageFacts, site: SiteContext, llm: LlmClient, options): Promise<PageRating> {
      // The abort signal is honoured by the SDK's client (bound to the activity's cancellation).
      void options.signal;
      return rateWithLlm(facts, site, llm, { model: options.model, cache: tenantCache(options.tenantId) });
    },

    rateSite(input: SiteRatingInput): SiteRating {
      return rateSite(input);
    },

    close(): Promise<void> {
      return analysis.close();
    },
  };
}

function memoryRubricCache(): (tenantId: string) => RubricCache {
  const answers = new MemoryRubricCache(5_000);
  return (tenantId) => ({
    get: (key) => answers.get(`${tenantId}\u0000${key}`),
    set: (key, value) => answers.set(`${tenantId}\u0000${key}`, value),
  });
}
