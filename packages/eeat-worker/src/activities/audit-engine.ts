/**
 * The analysis steps an audit needs, as one interface: discovery, fetch + extract, site context, heuristic and
 * site rating. The activities depend on this interface; `analysis-engine.ts` implements it with the package's
 * fetch/discovery/extract/scoring modules, and tests can use the same implementation against the sample site.
 */
import type { LlmClient } from '@apexseo/worker-sdk';
import type {
  FailedPageOutcome,
  PageFacts,
  PageRating,
  SiteContext,
  SiteRating,
  SiteRatingInput,
} from '../audit-model.js';
import type { SiteContextPage } from '../extract/site-context.js';
import type { AuditLimits } from '../workflows/audit-workflow-types.js';

export interface DiscoveryOutcome {
  /** Pages to audit, the start URL first, at most `limits.pages`. */
  readonly urls: string[];
  /** Pages found but not to be audited (robots disallow, beyond the page limit). */
  readonly skipped: FailedPageOutcome[];
}

export type CollectOutcome =
  | { readonly ok: true; readonly facts: PageFacts; readonly finalUrl: string; readonly httpStatus: number }
  | { readonly ok: false; readonly outcome: FailedPageOutcome };

export interface AuditEngine {
  discover(
    siteUrl: string,
    limits: AuditLimits,
    options: { allowHosts: readonly string[]; heartbeat: () => void; signal: AbortSignal },
  ): Promise<DiscoveryOutcome>;
  collect(
    url: string,
    options: { siteUrl: string; allowHosts: readonly string[]; signal: AbortSignal },
  ): Promise<CollectOutcome>;
  siteContext(siteUrl: string, facts: readonly SiteContextPage[]): SiteContext;
  /** Throws `PageTooComplexError` when the page exceeds its analysis budget. */
  rateHeuristic(facts: PageFacts, site: SiteContext): Promise<PageRating>;
  /** The LLM rubric through the tenant's key (`llm` is bound by the SDK); `model` names the provider model. */
  rateWithLlm(
    facts: PageFacts,
    site: SiteContext,
    llm: LlmClient,
    options: { tenantId: string; model: string; signal: AbortSignal },
  ): Promise<PageRating>;
  rateSite(input: SiteRatingInput): SiteRating;
  /** Stops the analysis threads. */
  close(): Promise<void>;
}
