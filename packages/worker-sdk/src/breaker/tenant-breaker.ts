import type { Logger } from 'pino';
import { TenantPausedError } from '../errors.js';
import type { KeyOutcome, KeyServiceClient } from '../keys/key-service-client.js';
import type { LlmProvider, TenantKey } from '../keys/tenant-key.js';

/** Called once, by the single caller whose report opened the breaker. */
export type OnBreakerTripped = (tenantId: string, provider: LlmProvider, reason: string) => Promise<void>;

export interface TenantBreakerOptions {
  readonly keyService: KeyServiceClient;
  readonly onTripped: OnBreakerTripped;
  readonly logger: Logger;
  /** How long a learned pause is remembered for calls whose key was acquired before it. @default 300 */
  readonly localPauseSeconds?: number;
}

/**
 * The worker side of the fleet-wide key breaker. The key service holds the state (shared by all pods); this class
 * reports every logical call's outcome, remembers pauses it learns about so calls already holding a key stop before
 * reaching the provider (new calls are refused by the key service's acquire with 423), and
 * runs `onTripped` when the key service says this report tripped the breaker.
 */
export class TenantBreaker {
  private readonly paused = new Map<
    string,
    { pausedAt: number; reason: string; retryAfterSeconds?: number }
  >();
  private readonly pending = new Set<Promise<void>>();
  private readonly localPauseMs: number;

  constructor(private readonly options: TenantBreakerOptions) {
    this.localPauseMs = (options.localPauseSeconds ?? 300) * 1000;
  }

  /**
   * Throws {@link TenantPausedError} when this pod learned of a pause after `keyAcquiredAt` (the key was handed out
   * before the breaker opened, so the call must not reach the provider). A pause learned before the key was
   * acquired is stale — the key service handed out a key afterwards, so the tenant was resumed — and is dropped.
   */
  assertNotPausedSince(tenantId: string, provider: LlmProvider, keyAcquiredAt: number): void {
    const id = `${tenantId}\u0000${provider}`;
    const entry = this.paused.get(id);
    if (!entry) return;
    if (entry.pausedAt <= keyAcquiredAt || entry.pausedAt + this.localPauseMs <= Date.now()) {
      this.paused.delete(id);
      return;
    }
    throw new TenantPausedError(tenantId, provider, entry.reason, entry.retryAfterSeconds);
  }

  markPaused(tenantId: string, provider: LlmProvider, reason: string, retryAfterSeconds?: number): void {
    const pausedAt = Date.now();
    this.paused.set(
      `${tenantId}\u0000${provider}`,
      retryAfterSeconds === undefined ? { pausedAt, reason } : { pausedAt, reason, retryAfterSeconds },
    );
  }

  /** Forgets a learned pause (the key service said the tenant is no longer paused). */
  clearPaused(tenantId: string, provider: LlmProvider): void {
    this.paused.delete(`${tenantId}\u0000${provider}`);
  }

  /**
   * Reports a failed logical call and waits for the answer. Returns a {@link TenantPausedError} when the breaker
   * is now open (the caller throws it instead of its own error so the workflow parks).
   */
  async reportFailure(
    key: TenantKey,
    outcome: KeyOutcome,
    retryAfterSeconds?: number,
  ): Promise<TenantPausedError | undefined> {
    let result;
    try {
      result = await this.options.keyService.report({
        tenantId: key.tenantId,
        provider: key.provider,
        keyVersion: key.keyVersion,
        outcome,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      });
    } catch (err) {
      // The call's own error still reaches the activity; a lost report only delays the breaker.
      this.options.logger.warn(
        { tenantId: key.tenantId, provider: key.provider, outcome, err: errorSummary(err) },
        'breaker report failed',
      );
      return undefined;
    }
    if (result.state !== 'open') return undefined;
    const reason = `key breaker open after ${result.consecutiveFailures} consecutive key failures (last: ${outcome})`;
    this.markPaused(key.tenantId, key.provider, reason, result.retryAfterSeconds);
    if (result.tripped) {
      this.options.logger.warn(
        { tenantId: key.tenantId, provider: key.provider, outcome },
        'key breaker tripped: pausing tenant workflows',
      );
      try {
        await this.options.onTripped(key.tenantId, key.provider, reason);
      } catch (err) {
        this.options.logger.error(
          { tenantId: key.tenantId, provider: key.provider, err: errorSummary(err) },
          'pausing tenant workflows failed',
        );
      }
    }
    return new TenantPausedError(key.tenantId, key.provider, reason, result.retryAfterSeconds);
  }

  /** Reports a successful (or not key-related) outcome without delaying the activity. */
  reportInBackground(key: TenantKey, outcome: KeyOutcome): void {
    const p = this.options.keyService
      .report({ tenantId: key.tenantId, provider: key.provider, keyVersion: key.keyVersion, outcome })
      .then(
        () => undefined,
        (err: unknown) => {
          this.options.logger.warn(
            { tenantId: key.tenantId, provider: key.provider, outcome, err: errorSummary(err) },
            'breaker report failed',
          );
        },
      )
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Waits for background reports (called at shutdown so no outcome is dropped). */
  async drain(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}

/** Error name/type/message only: never an object that could carry request headers. */
export function errorSummary(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const type = (err as { type?: unknown }).type;
    return { name: err.name, ...(typeof type === 'string' ? { type } : {}), message: err.message };
  }
  return { message: String(err) };
}
