import { Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import { z } from 'zod';
import { KeyNotFoundError, SdkError, TenantPausedError } from '../errors.js';
import type { LlmProvider } from '../keys/tenant-key.js';
import type { LlmClient } from '../llm/llm-types.js';
import { TenantLlmClient, type TenantRef } from '../llm/tenant-llm-client.js';
import { toApplicationFailure } from './application-failure.js';
import { heartbeatWhileRunning } from './heartbeat-while-running.js';
import type { SdkRuntime } from '../runtime/sdk-runtime.js';

/**
 * Fields every LLM activity input carries (merged into the activity's own input schema). `provider` is optional:
 * without it the activity uses the provider of the tenant's key, which the key service knows.
 */
export const llmActivityTenantSchema = z.object({
  tenantId: z.string().min(1).max(128),
  plan: z.enum(['mrr', 'ltd']),
  provider: z.enum(['openai', 'anthropic']).optional(),
});

/** What an LLM activity's `run` receives besides its input. */
export interface LlmActivityContext {
  /** Bound to the tenant's key, breaker and metrics. */
  readonly llm: LlmClient;
  readonly tenant: TenantRef;
  /** The worker's logger with `tenantId`, `provider` and the activity type bound. */
  readonly log: Logger;
  /** Aborted when Temporal cancels the activity (including worker shutdown after the grace time). */
  readonly signal: AbortSignal;
  /**
   * Records a heartbeat with progress details. The SDK already heartbeats every few seconds while `run` is in
   * flight (repeating the last details), so a `heartbeatTimeout` works without calling this.
   */
  heartbeat(details?: unknown): void;
}

export interface LlmActivityDefinition<S extends z.ZodObject, O> {
  /** Activity input schema without the tenant fields (they are added). */
  readonly input: S;
  /**
   * The activity's work. Its result type is the activity's result type; a result from `ctx.llm.structured` is
   * already validated with the schema given there (the one place the output schema is declared).
   */
  readonly run: (ctx: LlmActivityContext, input: z.output<S> & TenantRef) => Promise<O>;
}

/** The input type of an LLM activity defined with schema `S`. */
export type LlmActivityInput<S extends z.ZodObject> = z.input<S> & z.input<typeof llmActivityTenantSchema>;

const DEFINITION = Symbol.for('@apexseo/worker-sdk/llm-activity');

/**
 * An LLM activity: a plain async function (so `proxyActivities<typeof activities>()` types it) that `createWorker`
 * binds to the worker's key service, breaker and metrics. Calling it outside a worker built by `createWorker`
 * (or {@link bindActivities}) throws `SdkNotBound`.
 */
export type LlmActivity<I, O> = ((input: I) => Promise<O>) & {
  readonly [DEFINITION]: (runtime: SdkRuntime) => (input: unknown) => Promise<O>;
};

/**
 * Defines an activity that receives `ctx.llm` already bound to the tenant named in its input. The input must carry
 * `tenantId` and `plan`, and may carry `provider` (validated with zod together with the activity's own fields);
 * without `provider`, the key service's answer for the tenant's key decides it (one read-only call). Errors become typed
 * Temporal failures: `TenantPaused` and `KeyNotFound` are non-retryable so the workflow can park
 * (see `withTenantPause` in `@apexseo/worker-sdk/workflow`).
 */
export function defineLlmActivity<S extends z.ZodObject, O>(
  definition: LlmActivityDefinition<S, O>,
): LlmActivity<LlmActivityInput<S>, O> {
  const schema = definition.input.extend(llmActivityTenantSchema.shape);
  const bind =
    (runtime: SdkRuntime) =>
    async (raw: unknown): Promise<O> => {
      try {
        const parsed = schema.safeParse(raw);
        if (!parsed.success) {
          const fields = [
            ...new Set(parsed.error.issues.map((i) => i.path.map(String).join('.') || '(root)')),
          ];
          throw new SdkError('InvalidActivityInput', `Invalid activity input: ${fields.join(', ')}`);
        }
        const activity = Context.current();
        const given = parsed.data as z.output<S> & z.output<typeof llmActivityTenantSchema>;
        const provider = given.provider ?? (await tenantProvider(runtime, given.tenantId));
        const input = { ...given, provider } as z.output<S> & TenantRef;
        const tenant: TenantRef = { tenantId: input.tenantId, plan: input.plan, provider };
        const log = runtime.logger.child({
          tenantId: tenant.tenantId,
          provider: tenant.provider,
          activityType: activity.info.activityType,
        });
        let lastDetails: unknown;
        const ctx: LlmActivityContext = {
          llm: new TenantLlmClient(runtime, tenant, activity.cancellationSignal),
          tenant,
          log,
          signal: activity.cancellationSignal,
          heartbeat: (details?: unknown) => {
            lastDetails = details;
            activity.heartbeat(details);
          },
        };
        // LLM calls can take minutes: heartbeat on the activity's behalf, repeating its last progress report.
        const result = await heartbeatWhileRunning(
          () => definition.run(ctx, input),
          () => lastDetails,
        );
        return result;
      } catch (err) {
        throw toApplicationFailure(err);
      }
    };
  const unbound = (): Promise<O> =>
    Promise.reject(
      toApplicationFailure(
        new SdkError(
          'SdkNotBound',
          'LLM activity called outside a worker: register it through createWorker() or bindActivities()',
        ),
      ),
    );
  return Object.assign(unbound, { [DEFINITION]: bind });
}

/**
 * The provider of the tenant's current key, from the key service (its status answer names it). A paused tenant
 * fails here as `TenantPaused`, before any key is handed out.
 */
async function tenantProvider(runtime: SdkRuntime, tenantId: string): Promise<LlmProvider> {
  const status = await runtime.keyService.status(tenantId);
  if (!status.provider) throw new KeyNotFoundError(tenantId, 'any provider');
  if (status.paused) {
    const reason = status.reason ?? 'key breaker open';
    runtime.breaker.markPaused(tenantId, status.provider, reason, status.retryAfterSeconds);
    throw new TenantPausedError(tenantId, status.provider, reason, status.retryAfterSeconds);
  }
  return status.provider;
}

function isLlmActivity(value: unknown): value is LlmActivity<unknown, unknown> {
  return typeof value === 'function' && DEFINITION in value;
}

/** The activities as a worker runs them: LLM activities bound to a runtime, with the same call signatures. */
export type BoundActivities<A> = {
  readonly [K in keyof A]: A[K] extends LlmActivity<infer I, infer O> ? (input: I) => Promise<O> : A[K];
};

/** Binds every LLM activity in `activities` to `runtime`; other functions pass through unchanged. */
export function bindActivities<A extends Record<string, unknown>>(
  activities: A,
  runtime: SdkRuntime,
): BoundActivities<A> {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    if (isLlmActivity(fn)) out[name] = fn[DEFINITION](runtime);
    else if (typeof fn === 'function') out[name] = fn;
    else throw new TypeError(`activities.${name} is not a function`);
  }
  return out as BoundActivities<A>;
}
