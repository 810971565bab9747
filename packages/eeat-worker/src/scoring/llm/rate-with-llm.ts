/**
 * Rates a page with the tenant's LLM: build the request, look in the cache, call `llm.structured` (the SDK's
 * `ctx.llm`, which validates the answer with the zod schema), then verify and gate the answer.
 *
 * The cache stores the model's validated answer, keyed by content hash + rubric version + prompt version +
 * provider/model: an unchanged page costs nothing on re-audit, and the deterministic gates are re-applied to
 * the cached answer with the current site context.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { type PageFacts, type PageRating, RUBRIC_VERSION, type SiteContext } from '../../audit-model.js';
import { interpretRubricAnswer } from './rubric-answer.js';
import { buildRubricRequest, type RubricRequestOptions } from './rubric-prompt.js';
import { PROMPT_VERSION, type RubricAnswer, RubricAnswerSchema } from './rubric-schema.js';

/** The slice of the SDK's `LlmClient` the rubric needs (`ctx.llm` satisfies it). */
export interface RubricLlm {
  readonly provider: string;
  structured<S extends z.ZodType>(request: {
    readonly model: string;
    readonly messages: ReadonlyArray<{
      readonly role: 'system' | 'user' | 'assistant';
      readonly content: string;
    }>;
    readonly schema: S;
    readonly schemaName: string;
    readonly strict?: boolean;
    readonly maxTokens?: number;
    readonly temperature?: number;
  }): Promise<{
    readonly data: z.output<S>;
    readonly model: string;
    readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
  }>;
}

export interface CachedRubricAnswer {
  answer: RubricAnswer;
  model: string;
  truncated: boolean;
}

/** Where validated answers are kept between audits (ClickHouse, Postgres, memory...). */
export interface RubricCache {
  get(key: string): Promise<CachedRubricAnswer | null>;
  set(key: string, value: CachedRubricAnswer): Promise<void>;
}

/** A bounded in-process cache (least recently used is evicted first). */
export class MemoryRubricCache implements RubricCache {
  readonly #entries = new Map<string, CachedRubricAnswer>();
  constructor(private readonly capacity = 1000) {}
  get(key: string): Promise<CachedRubricAnswer | null> {
    const hit = this.#entries.get(key);
    if (hit === undefined) return Promise.resolve(null);
    this.#entries.delete(key);
    this.#entries.set(key, hit);
    return Promise.resolve(hit);
  }
  set(key: string, value: CachedRubricAnswer): Promise<void> {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    while (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
    return Promise.resolve();
  }
}

export function rubricCacheKey(contentHash: string, provider: string, model: string): string {
  return createHash('sha256')
    .update(`${contentHash}|${RUBRIC_VERSION}|${PROMPT_VERSION}|${provider}/${model}`)
    .digest('hex');
}

export interface RateWithLlmOptions extends RubricRequestOptions {
  cache?: RubricCache;
}

export async function rateWithLlm(
  facts: PageFacts,
  site: SiteContext,
  llm: RubricLlm,
  options: RateWithLlmOptions,
): Promise<PageRating> {
  const cacheKey = rubricCacheKey(facts.contentHash, llm.provider, options.model);
  const cached = options.cache ? await options.cache.get(cacheKey) : null;
  if (cached) {
    return interpretRubricAnswer(RubricAnswerSchema.parse(cached.answer), facts, site, {
      provider: llm.provider,
      model: cached.model,
      cacheKey,
      truncated: cached.truncated,
      usage: { inputTokens: 0, outputTokens: 0 },
    });
  }
  const request = buildRubricRequest(facts, site, options);
  const result = await llm.structured({
    model: request.model,
    messages: request.messages,
    schema: request.schema,
    schemaName: request.schemaName,
    strict: request.strict,
    maxTokens: request.maxTokens,
    temperature: request.temperature,
  });
  // Validate again here: the rubric must not depend on the client having done it.
  const answer = RubricAnswerSchema.parse(result.data);
  await options.cache?.set(cacheKey, { answer, model: result.model, truncated: request.truncated });
  return interpretRubricAnswer(answer, facts, site, {
    provider: llm.provider,
    model: result.model,
    cacheKey,
    truncated: request.truncated,
    usage: result.usage,
  });
}
