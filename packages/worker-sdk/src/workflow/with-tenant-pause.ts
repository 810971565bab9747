import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
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

/**
 * Which tenant key an LLM step uses. Without `provider` (the usual case: LLM activities learn the tenant's provider
 * from the key service), a pause of any of the tenant's providers parks the step.
 */
export interface TenantPauseTarget {
  readonly tenantId: string;
  readonly provider?: 'openai' | 'anthropic';
}

/** Patch id of "a pause signal interrupts a running step" (histories recorded before it replay unchanged). */
const INTERRUPT_ON_PAUSE_PATCH = 'apexseo.interruptStepOnPause';

export interface TenantPauseOptions {
  /**
   * How long a parked step waits for the resume signal before it asks the key service itself (durable timer, so a
   * missed signal never parks a workflow forever). @default '5 minutes'
   */
  readonly recheckInterval?: Duration;
  /** Options of the re-check activity. @default startToCloseTimeout 30s, 3 attempts */
  readonly statusActivityOptions?: ActivityOptions;
  /**
   * Called when this step parks (a pause signal, or its `TenantPaused` failure), before it waits. Workflow code, so
   * keep it deterministic: e.g. set a progress flag a query reports. @default none
   */
  readonly onParked?: () => void;
  /** Called when this parked step stops waiting (resumed, or cancelled while parked), before it runs again. @default none */
  readonly onResumed?: () => void;
}

// Workflow-local state: each workflow execution has its own module globals inside the sandbox.
const paused = new Map<string, string>();
let handlersInstalled = false;
let parkedSteps = 0;

function pauseKey(tenantId: string, provider: string): string {
  return `${tenantId}\u0000${provider}`;
}

function isPaused(t: TenantPauseTarget): boolean {
  if (t.provider === undefined) return [...paused.keys()].some((k) => k.startsWith(`${t.tenantId}\u0000`));
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
  options.onParked?.();
  try {
    for (;;) {
      if (await condition(() => !isPaused(target), options.recheckInterval ?? '5 minutes')) return;
      const status = await statusActivity(
        target.provider
          ? { tenantId: target.tenantId, provider: target.provider }
          : { tenantId: target.tenantId },
      );
      if (!status.paused) {
        clearPaused(target.tenantId, target.provider);
        return;
      }
    }
  } finally {
    parkedSteps--;
    if (parkedSteps === 0) upsertSearchAttributes([{ key: tenantParkedSearchAttribute, value: false }]);
    options.onResumed?.();
  }
}

/**
 * Runs an LLM step so that a paused tenant parks the workflow instead of failing it. When the step fails with
 * `TenantPaused`, or a pause signal arrives before or during it, the workflow sets `TenantParked=true` and waits — no
 * activity retries, no busy loop — for `tenantResumedSignal` or, every `recheckInterval`, a key-service re-check
 * through an activity; then it clears `TenantParked` and runs the step again. A pause signal that arrives while the
 * step runs cancels the step (an activity waiting for its next retry is cancelled at once, so it makes no further
 * key-service call). Other failures propagate unchanged.
 *
 * @example
 * const result = await withTenantPause({ tenantId }, () => scoreContent({ tenantId, plan, url }));
 */
export async function withTenantPause<T>(
  target: TenantPauseTarget,
  step: () => Promise<T>,
  options: TenantPauseOptions = {},
): Promise<T> {
  installTenantPauseHandlers();
  const outer = CancellationScope.current();
  for (;;) {
    if (isPaused(target)) {
      await park(target, options);
      continue;
    }
    const stepScope = new CancellationScope();
    const watch = new CancellationScope();
    let interrupted = false;
    watch
      .run(() => condition(() => isPaused(target)))
      .then(
        () => {
          if (!patched(INTERRUPT_ON_PAUSE_PATCH)) return;
          interrupted = true;
          stepScope.cancel();
        },
        () => undefined,
      );
    try {
      return await stepScope.run(step);
    } catch (err) {
      if (interrupted && isCancellation(err) && !outer.consideredCancelled) continue;
      if (!isTenantPausedFailure(err)) throw err;
      paused.set(pauseKey(target.tenantId, target.provider ?? '*'), 'key breaker open');
    } finally {
      watch.cancel();
    }
  }
}
