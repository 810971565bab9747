import type { Logger } from 'pino';
import type { Agent } from 'undici';
import { z } from 'zod';
import type { TenantBreaker } from '../breaker/tenant-breaker.js';
import { TenantPausedError } from '../errors.js';
import type { KeyServiceClient } from '../keys/key-service-client.js';
import { jitteredDelayMs, sleep } from '../keys/retry.js';
import type { LlmProvider, TenantKey, TenantPlan } from '../keys/tenant-key.js';
import type { WorkerMetrics } from '../metrics/worker-metrics.js';
import { sendAnthropic } from './anthropic-transport.js';
import { LlmCallError } from './llm-call-error.js';
import type {
  ChatRequest,
  ChatResult,
  LlmClient,
  ProviderAnswer,
  ProviderRequest,
  StructuredRequest,
  StructuredResult,
} from './llm-types.js';
import { sendOpenAi } from './openai-transport.js';
import { invalidAnswer } from './provider-http.js';

/** Provider endpoints and retry policy shared by every tenant client of a worker. */
export interface LlmSettings {
  readonly openaiBaseUrl: string;
  readonly anthropicBaseUrl: string;
  /** Per-attempt timeout, milliseconds. */
  readonly timeoutMs: number;
  /** Extra attempts inside one logical call on 5xx, 529, timeouts and network errors. */
  readonly maxRetries: number;
}

/** Everything a tenant-bound client needs from its worker. */
export interface LlmDependencies {
  readonly keyService: KeyServiceClient;
  readonly breaker: TenantBreaker;
  readonly metrics: WorkerMetrics;
  readonly dispatcher: Agent;
  readonly settings: LlmSettings;
  readonly logger: Logger;
}

export interface TenantRef {
  readonly tenantId: string;
  readonly plan: TenantPlan;
  readonly provider: LlmProvider;
}

const DEFAULT_MAX_TOKENS = 1024;

/**
 * `ctx.llm`: one tenant's LLM client. Each call acquires the key just before the request, retries transient
 * provider failures with jitter, reports the outcome once, and records metrics. The key lives only in this call's
 * stack frame.
 */
export class TenantLlmClient implements LlmClient {
  readonly provider: LlmProvider;

  constructor(
    private readonly deps: LlmDependencies,
    private readonly tenant: TenantRef,
    private readonly signal?: AbortSignal,
  ) {
    this.provider = tenant.provider;
  }

  async chat(request: ChatRequest): Promise<ChatResult> {
    const { answer } = await this.call(request, undefined);
    return { text: answer.text, model: answer.model, usage: answer.usage };
  }

  async structured<S extends z.ZodType>(
    request: StructuredRequest<S>,
  ): Promise<StructuredResult<z.output<S>>> {
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(request.schemaName)) {
      throw new TypeError('schemaName must match [a-zA-Z0-9_-]{1,64}');
    }
    const schema = z.toJSONSchema(request.schema, { target: 'draft-7', io: 'output' }) as Record<
      string,
      unknown
    >;
    delete schema['$schema'];
    const jsonSchema = { name: request.schemaName, schema, strict: request.strict ?? true };
    const { answer } = await this.call(request, jsonSchema, (a) => {
      const parsed = request.schema.safeParse(a.structured);
      if (!parsed.success) {
        const fields = parsed.error.issues.map((i) => i.path.map(String).join('.') || '(root)').slice(0, 10);
        throw invalidAnswer(this.provider, `structured output failed validation at ${fields.join(', ')}`);
      }
    });
    return { data: request.schema.parse(answer.structured), model: answer.model, usage: answer.usage };
  }

  private async call(
    request: ChatRequest,
    jsonSchema: ProviderRequest['jsonSchema'],
    validate?: (answer: ProviderAnswer) => void,
  ): Promise<{ answer: ProviderAnswer }> {
    const { tenantId, plan, provider } = this.tenant;
    const { keyService, breaker, metrics } = this.deps;
    const acquireStartedAt = Date.now();
    let key: TenantKey;
    try {
      ({ key } = await keyService.acquire(tenantId, provider));
    } catch (err) {
      if (err instanceof TenantPausedError)
        breaker.markPaused(tenantId, provider, err.reason, err.retryAfterSeconds);
      throw err;
    }
    metrics.recordLlmRequest(tenantId, plan, provider);
    const req: ProviderRequest = {
      model: request.model,
      messages: request.messages,
      maxTokens: request.maxTokens ?? DEFAULT_MAX_TOKENS,
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(jsonSchema ? { jsonSchema } : {}),
    };
    const timeoutMs = request.timeoutMs ?? this.deps.settings.timeoutMs;
    let failure: LlmCallError | undefined;
    let lastTransient: LlmCallError | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        // Another call of this pod may have tripped the breaker while this one waited or retried.
        breaker.assertNotPausedSince(tenantId, provider, acquireStartedAt);
        const answer = await this.send(key, req, timeoutMs);
        validate?.(answer);
        breaker.reportInBackground(key, 'success');
        return { answer };
      } catch (err) {
        if (err instanceof TenantPausedError) {
          // Stopped before (another) provider request: only an earlier transient attempt has an outcome to report.
          if (lastTransient) breaker.reportInBackground(key, lastTransient.outcome);
          throw err;
        }
        if (!(err instanceof LlmCallError)) throw err;
        if (
          (err.transient || err.errorClass === 'invalid_response') &&
          attempt < this.deps.settings.maxRetries
        ) {
          lastTransient = err;
          await sleep(jitteredDelayMs(attempt + 1, { baseMs: 250, maxMs: 4_000 }), this.signal);
          continue;
        }
        failure = err;
        break;
      }
    }
    metrics.recordLlmError(tenantId, plan, provider, failure.errorClass);
    this.deps.logger.warn(
      { tenantId, provider, errorClass: failure.errorClass, status: failure.status },
      'LLM call failed',
    );
    if (failure.keyFailure) {
      const paused = await breaker.reportFailure(key, failure.outcome, failure.retryAfterSeconds);
      if (paused) throw paused;
    } else {
      breaker.reportInBackground(key, failure.outcome);
    }
    throw failure;
  }

  private send(key: TenantKey, req: ProviderRequest, timeoutMs: number): Promise<ProviderAnswer> {
    const { dispatcher, settings } = this.deps;
    return this.provider === 'openai'
      ? sendOpenAi(dispatcher, settings.openaiBaseUrl, key, req, timeoutMs, this.signal)
      : sendAnthropic(dispatcher, settings.anthropicBaseUrl, key, req, timeoutMs, this.signal);
  }
}
