/**
 * `@apexseo/eeat-worker/analysis`: the page analysis as the benchmarks drive it, one page or one site at a time
 * without Temporal: discovery, the guarded fetcher, extraction, the site context, heuristic and site rating, the
 * analysis engine with its thread pool, and the model types they exchange.
 *
 * A private workspace entry, resolved to the TypeScript source (run with `node --import tsx`); the worker binary
 * and the CLI do not use it.
 */
export type { PageAuditResult, PageFacts } from '../audit-model.js';
export { createAnalysisEngine } from '../activities/analysis-engine.js';
export { discoverSite } from '../discovery/discover-site.js';
export { extractPageFacts } from '../extract/page-facts.js';
export { buildSiteContext } from '../extract/site-context.js';
export { PRIVATE_HOSTS_ENV, PrivateHostAllowance } from '../fetch/private-host-allowance.js';
export { SafeFetcher } from '../fetch/safe-fetcher.js';
export { rateHeuristic } from '../scoring/heuristic-rating.js';
export { rateSite } from '../scoring/site-rating.js';
