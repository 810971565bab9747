import {
  ApplicationFailure,
  condition,
  defineSignal,
  proxyActivities,
  setHandler,
  TemporalFailure,
  upsertSearchAttributes,
  type ActivityOptions,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType, type Duration } from '@temporalio/common';
import {
  TENANT_KEY_STATUS_ACTIVITY,
  TENANT_PAUSED_FAILURE,
  TENANT_PAUSED_SIGNAL,
  TENANT_RESUMED_SIGNAL,
  type TenantKeyStatusInput,
  type TenantKeyStatusResult,
  type TenantSignal,
} from './tenant-pause-contract.js';

/** Signal: the tenant's key breaker opened. Sent by the worker whose report tripped the breaker (batch signal). */
export const tenantPausedSignal = defineSignal<[TenantSignal]>(TENANT_PAUSED_SIGNAL);
/** Signal: the tenant was resumed. Sent by `resumeTenantWorkflows`. */
export const tenantResumedSignal = defineSignal<[TenantSignal]>(TENANT_RESUMED_SIGNAL);

/** Search attribute `TenantParked` (Bool): true while a step of this workflow is parked. */
export const tenantParkedSearchAttribute = defineSearchAttributeKey('TenantParked', SearchAttributeType.BOOL);
/** Search attribute `TenantId` (Keyword): set it when starting a workflow so tenant batch signals reach it. */
export const tenantIdSearchAttribute = defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD);
/** Search attribute `Plan` (Keyword). */
export const planSearchAttribute = defineSearchAttributeKey('Plan', SearchAttributeType.KEYWORD);

/** Which tenant key an LLM step uses. */
export interface TenantPauseTarget {
  readonly tenantId: string;
  readonly provider: 'openai' | 'anthropic';
}

export interface TenantPauseOptions {
  /**
   * How long a parked step waits for the resume signal before it asks the key service itself (durable timer, so a
   * missed signal never parks a workflow forever). @default '5 minutes'
   */
  readonly recheckInterval?: Duration;
  /** Options of the re-check activity. @default startToCloseTimeout 30s, 3 attempts */
  readonly statusActivityOptions?: ActivityOptions;
}

// Workflow-local state: each workflow execution has its own module globals inside the sandbox.
const paused = new Map<string, string>();
let handlersInstalled = false;
let parkedSteps = 0;

function pauseKey(tenantId: string, provider: string): string {
  return `${tenantId}\u0000${provider}`;
}

function isPaused(t: TenantPauseTarget): boolean {
  return paused.has(pauseKey(t.tenantId, t.provider)) || paused.has(pauseKey(t.tenantId, '*'));
}

function clearPaused(tenantId: string, provider?: string): void {
  for (const key of [...paused.keys()]) {
    if (
      key.startsWith(`${tenantId}\u0000`) &&
      (provider === undefined || key.endsWith(`\u0000${provider}`) || key.endsWith('\u0000*'))
    ) {
      paused.delete(key);
    }
  }
}

/**
 * Registers the tenant pause/resume signal handlers. `withTenantPause` calls it; call it yourself at the top of a
 * workflow to react to a pause before the first LLM step. Signals that arrive earlier are buffered by Temporal.
 */
export function installTenantPauseHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  setHandler(tenantPausedSignal, (s) => {
    paused.set(pauseKey(s.tenantId, s.provider ?? '*'), s.reason ?? 'key breaker open');
  });
  setHandler(tenantResumedSignal, (s) => {
    clearPaused(s.tenantId, s.provider);
  });
}

/** True when `err` (or any cause) is the SDK's non-retryable `TenantPaused` failure. */
export function isTenantPausedFailure(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof ApplicationFailure && e.type === TENANT_PAUSED_FAILURE) return true;
    if (!(e instanceof TemporalFailure)) return false;
  }
  return false;
}

async function park(target: TenantPauseTarget, options: TenantPauseOptions): Promise<void> {
  // proxyActivities creates an activity stub for any property name, including the SDK's dotted activity name.
  const activities = proxyActivities<
    Record<string, (i: TenantKeyStatusInput) => Promise<TenantKeyStatusResult>>
  >(options.statusActivityOptions ?? { startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 3 } });
  const statusActivity = activities[TENANT_KEY_STATUS_ACTIVITY] as (
    i: TenantKeyStatusInput,
  ) => Promise<TenantKeyStatusResult>;
  parkedSteps++;
  if (parkedSteps === 1) upsertSearchAttributes([{ key: tenantParkedSearchAttribute, value: true }]);
  try {
    for (;;) {
      if (await condition(() => !isPaused(target), options.recheckInterval ?? '5 minutes')) return;
      const status = await statusActivity({ tenantId: target.tenantId, provider: target.provider });
      if (!status.paused) {
        clearPaused(target.tenantId, target.provider);
        return;
      }
    }
  } finally {
    parkedSteps--;
    if (parkedSteps === 0) upsertSearchAttributes([{ key: tenantParkedSearchAttribute, value: false }]);
  }
}

/**
 * Runs an LLM step so that a paused tenant parks the workflow instead of failing it. When the step fails with
 * `TenantPaused` (or a pause signal arrived before it), the workflow sets `TenantParked=true` and waits — no
 * activity retries, no busy loop — for `tenantResumedSignal` or, every `recheckInterval`, a key-service re-check
 * through an activity; then it clears `TenantParked` and runs the step again. Other failures propagate unchanged.
 *
 * @example
 * const result = await withTenantPause({ tenantId, provider: 'openai' }, () => scoreContent({ tenantId, plan, provider: 'openai', url }));
 */
export async function withTenantPause<T>(
  target: TenantPauseTarget,
  step: () => Promise<T>,
  options: TenantPauseOptions = {},
): Promise<T> {
  installTenantPauseHandlers();
  for (;;) {
    if (isPaused(target)) {
      await park(target, options);
      continue;
    }
    try {
      return await step();
    } catch (err) {
      if (!isTenantPausedFailure(err)) throw err;
      paused.set(pauseKey(target.tenantId, target.provider), 'key breaker open');
    }
  }
}
