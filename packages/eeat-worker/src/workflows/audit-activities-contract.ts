/**
 * The activities the audit workflows call, as types only (the workflow sandbox never imports their code).
 * Implementations: src/activities/audit-activities.ts and src/activities/llm-rating-activity.ts.
 */
import type {
  AuditScope,
  AuditSiteInput,
  AuditSiteResult,
  CollectResult,
  DiscoverResult,
  AuditLimits,
  PageListResult,
  RangeTally,
} from './audit-workflow-types.js';
import type { ListFilter } from '../storage/clickhouse/audit-page-list.js';

export interface RatedPage {
  readonly url: string;
  readonly level: string;
  /** The page could not be rated (e.g. `error: too complex`); its outcome is already recorded. */
  readonly failed?: boolean;
}

export interface AuditActivities {
  /** Validates the input, fixes the audit's start time (stable across re-runs) and records the audit as running. */
  beginAudit(input: AuditSiteInput): Promise<AuditScope>;
  /** robots.txt, sitemaps and same-site links up to the limits; records skipped pages. */
  discoverPages(input: {
    scope: AuditScope;
    limits: AuditLimits;
    allowHosts: readonly string[];
  }): Promise<DiscoverResult>;
  /** Fetches and extracts one page; stores its facts, or records its failed outcome. Never throws for a bad page. */
  collectPage(input: {
    scope: AuditScope;
    url: string;
    allowHosts: readonly string[];
  }): Promise<CollectResult>;
  /** Builds what the site says about itself from the collected pages' facts and stores it for the rating step. */
  buildSiteContext(input: { scope: AuditScope; urls: readonly string[] }): Promise<{ pages: number }>;
  /** Rates one collected page with the heuristic layer and records the result. */
  ratePageHeuristic(input: { scope: AuditScope; url: string }): Promise<RatedPage>;
  /**
   * Records an error outcome (`internal` unless told otherwise) for a page whose step failed past its retries: no
   * page is ever lost.
   */
  recordPageError(input: {
    scope: AuditScope;
    url: string;
    detail: string;
    reason?: 'internal' | 'too_complex';
  }): Promise<void>;
  /**
   * robots.txt, sitemaps and same-site links up to the limits: stores the pages to audit as the audit's page list
   * (discovery order) and records skipped pages. Returns counts only.
   */
  discoverPageList(input: {
    scope: AuditScope;
    limits: AuditLimits;
    allowHosts: readonly string[];
  }): Promise<PageListResult>;
  /**
   * Collects the listed pages at positions [from, from + count), `concurrency` at a time in a sliding window;
   * every page gets its own attempts and ends with stored facts or a recorded outcome.
   */
  collectPageRange(input: {
    scope: AuditScope;
    from: number;
    count: number;
    concurrency: number;
    allowHosts: readonly string[];
  }): Promise<RangeTally>;
  /** Rates the collected pages among positions [from, from + count) with the heuristic layer, like collectPageRange. */
  ratePageRange(input: {
    scope: AuditScope;
    from: number;
    count: number;
    concurrency: number;
  }): Promise<RangeTally>;
  /** URLs of the listed pages at positions [from, from + count) that match `filter` (a bounded read). */
  listedPages(input: {
    scope: AuditScope;
    from: number;
    count: number;
    filter: ListFilter;
  }): Promise<string[]>;
  /**
   * Records `error: internal` (with `detail`) for the pages among positions [from, from + count) a range step left
   * without an outcome: not collected (step `collect`) or collected and not rated (step `rate`). Returns how many.
   */
  recordUnfinishedPages(input: {
    scope: AuditScope;
    from: number;
    count: number;
    step: 'collect' | 'rate';
    detail: string;
  }): Promise<number>;
  /** Builds the site context from every collected page's stored facts, read in pages; stores it for rating. */
  buildSiteContextFromStore(input: { scope: AuditScope }): Promise<{ pages: number }>;
  /** Aggregates the site result from the stored page results and records the audit as completed. */
  finalizeAudit(input: { scope: AuditScope }): Promise<AuditSiteResult>;
}

export interface LlmRatingActivities {
  /** Rates one collected page with the LLM rubric through the tenant's key (SDK LLM activity). */
  ratePageLlm(input: {
    tenantId: string;
    plan: 'mrr' | 'ltd';
    provider: 'openai' | 'anthropic';
    scope: AuditScope;
    url: string;
  }): Promise<RatedPage>;
}
