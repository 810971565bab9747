/**
 * `ratePageLlm`: rates one collected page with the LLM rubric, through the SDK's `defineLlmActivity` so the
 * tenant's key is acquired at call time (never in the payload), outcomes are reported to the fleet breaker, and a
 * paused tenant fails with the non-retryable `TenantPaused` that parks the workflow (`withTenantPause`). Store
 * failures around the LLM call surface as `ResultStoreUnavailable` (the deps' store calls go through `fromStores`),
 * a platform failure the workflow waits out.
 */
import { defineLlmActivity, SdkError, type LlmActivity, type LlmActivityInput } from '@apexseo/worker-sdk';
import { z } from 'zod';
import { AuditScopeSchema, type AuditScope } from '../storage/audit-scope.js';
import type { RatedPage } from '../workflows/audit-activities-contract.js';
import { auditedOutcome, type PageRatingStore } from './page-rating-store.js';
import type { AuditEngine } from './audit-engine.js';

const RateInput = z.object({ scope: AuditScopeSchema, url: z.url() });

/** Default models per provider; `APEXSEO_LLM_MODEL` overrides. */
export const DEFAULT_MODELS = { openai: 'gpt-4o-mini', anthropic: 'claude-sonnet-4-5' } as const;

export interface LlmRatingDeps {
  readonly engine: AuditEngine;
  /** The page's facts and site context, and the rated page's record (shared with the heuristic steps). */
  readonly ratings: PageRatingStore;
  readonly model?: string;
}

/**
 * The input names the tenant twice: `tenantId` picks the key the SDK acquires, `scope.tenantId` the rows read and
 * written. They must agree, or one tenant's key would rate (and bill for) another tenant's pages.
 */
export function assertScopeOfTenant(scope: AuditScope, tenantId: string): void {
  if (scope.tenantId !== tenantId)
    throw new SdkError('InvalidActivityInput', 'Invalid activity input: scope.tenantId must equal tenantId');
}

export function createLlmRatingActivity(
  deps: LlmRatingDeps,
): LlmActivity<LlmActivityInput<typeof RateInput>, RatedPage> {
  return defineLlmActivity({
    input: RateInput,
    async run(ctx, input) {
      assertScopeOfTenant(input.scope, ctx.tenant.tenantId);
      const { collected, site } = await deps.ratings.loadRatingInputs(input.scope, input.url);
      const model = deps.model ?? DEFAULT_MODELS[ctx.tenant.provider];
      const rating = await deps.engine.rateWithLlm(collected.facts, site, ctx.llm, {
        tenantId: ctx.tenant.tenantId,
        model,
        signal: ctx.signal,
      });
      return deps.ratings.recordRated(
        input.scope,
        { outcome: auditedOutcome(input.url, collected), rating },
        collected.facts,
      );
    },
  });
}
