/**
 * Inputs, state and results of the audit workflows. Plain types only: this file is imported by workflow code,
 * which runs in Temporal's deterministic sandbox (no Node APIs, no heavy modules).
 */
import type { FailedPageOutcome, Level } from '../audit-model.js';
import type { AuditScope, Plan } from '../storage/audit-scope.js';

export type { AuditScope, Plan };

export interface AuditLimits {
  /** At most this many pages are audited (further discovered pages are not fetched). */
  readonly pages: number;
  /** Link depth from the start URL (sitemap URLs count as depth 1). */
  readonly depth: number;
  /** Pages of one host fetched and rated at the same time. */
  readonly concurrencyPerHost: number;
}

/**
 * Page limits: the default for an audit that names none, and the most an audit may ask for. The workflow carries
 * only cursors and counters (the page list and per-page state live in ClickHouse), so its payloads and history do
 * not grow with the site; `MAX_PAGES` is what the workflow tests drive through continue-as-new (100,000 URLs).
 */
export const DEFAULT_PAGES = 1_000;
export const MAX_PAGES = 100_000;

export const DEFAULT_LIMITS: AuditLimits = { pages: DEFAULT_PAGES, depth: 3, concurrencyPerHost: 4 };

export type ScoringMode = 'heuristic' | 'llm';

export interface AuditSiteInput {
  readonly tenantId: string;
  readonly plan: Plan;
  readonly auditId: string;
  readonly siteUrl: string;
  readonly limits: AuditLimits;
  /** `llm` rates pages with the tenant's key through the SDK; `heuristic` needs no key. */
  readonly scoring: ScoringMode;
  /** LLM provider of the tenant's key (used when `scoring` is `llm`). */
  readonly provider?: 'openai' | 'anthropic';
  /** Hosts that may resolve to loopback/private addresses (local sample sites only). */
  readonly allowHosts?: readonly string[];
  /** Activities per run before the workflow continues as new (keeps history small on large sites). */
  readonly activitiesPerRun?: number;
}

export interface AuditPageInput {
  readonly tenantId: string;
  readonly plan: Plan;
  readonly auditId: string;
  readonly url: string;
  readonly scoring: ScoringMode;
  readonly provider?: 'openai' | 'anthropic';
  readonly allowHosts?: readonly string[];
}

export type AuditPhase = 'starting' | 'discovering' | 'collecting' | 'rating' | 'finalizing' | 'completed';

export interface AuditProgress {
  readonly auditId: string;
  readonly phase: AuditPhase;
  /** Pages discovered (audited + failed + skipped + still pending). */
  readonly total: number;
  /** Pages audited and rated. */
  readonly done: number;
  /** Pages that ended with an error outcome. */
  readonly failed: number;
  /** Pages skipped (robots, not HTML, off site, page limit). */
  readonly skipped: number;
  /** Parked: the tenant's key breaker is open and an LLM step waits for a resume. */
  readonly parked: boolean;
  /** How many times the workflow continued as new. */
  readonly runs: number;
}

/** What the workflow carries across continue-as-new: URLs and counters only; page data lives in the stores. */
export interface AuditSiteState {
  readonly scope: AuditScope;
  readonly phase: AuditPhase;
  readonly urls: string[];
  /** URLs whose facts were collected (rated in the rating phase). */
  readonly collected: string[];
  /** Index of the next URL of the current phase. */
  readonly cursor: number;
  /** `outsideList`: pages recorded that are not in `urls` (skipped by discovery, or the start URL when discovery failed). */
  readonly counts: { done: number; failed: number; skipped: number; outsideList: number };
  readonly runs: number;
}

export interface AuditSiteResult {
  readonly auditId: string;
  readonly tenantId: string;
  readonly siteUrl: string;
  readonly counts: { total: number; audited: number; skipped: number; failed: number };
  readonly medianLevel: Level | null;
}

export type CollectResult =
  | { readonly url: string; readonly collected: true }
  | { readonly url: string; readonly collected: false; readonly outcome: FailedPageOutcome };

export interface DiscoverResult {
  /** Pages to audit, the start URL first. */
  readonly urls: string[];
  /** Pages found but not audited (robots, page limit); already recorded. */
  readonly skipped: number;
}

/** Pages of the audit's page list by what happened to them in one range step. */
export interface RangeTally {
  /** Facts stored (collection step). */
  collected: number;
  /** Rated and recorded (rating step). */
  audited: number;
  skipped: number;
  failed: number;
}

/** The state `auditSite` carries across continue-as-new: cursors and counters only (page list in ClickHouse). */
export interface AuditListState {
  readonly scope: AuditScope;
  readonly phase: AuditPhase;
  /** Pages in the audit's page list (positions 0..pages-1). */
  readonly pages: number;
  /** Position of the next page of the current phase. */
  readonly cursor: number;
  /** `outsideList`: pages recorded that are not in the list (skipped by discovery, or the start URL when it failed). */
  readonly counts: { done: number; failed: number; skipped: number; outsideList: number };
  readonly runs: number;
}

/** What discovery stored: the page list's length, and the pages it recorded as skipped. */
export interface PageListResult {
  readonly pages: number;
  readonly skipped: number;
}
