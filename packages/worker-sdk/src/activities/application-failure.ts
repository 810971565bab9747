import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { KeyNotFoundError, SdkError, TenantPausedError } from '../errors.js';
import { LlmCallError } from '../llm/llm-call-error.js';
import { KEY_NOT_FOUND_FAILURE, TENANT_PAUSED_FAILURE } from '../workflow/tenant-pause-contract.js';

/** Delay before Temporal retries an activity whose key was rejected (the breaker bounds how often). */
const KEY_REJECTED_RETRY_SECONDS = 10;

/**
 * Maps SDK errors to Temporal failures with a stable `type`:
 * - `TenantPaused`, `KeyNotFound`, `LlmBadRequest`, `InvalidActivityInput`: non-retryable (the workflow parks or fails);
 * - `LlmKeyRejected`: retryable after a delay — each retry is one more key failure on the fleet breaker, which
 *   opens after the threshold and turns the next attempt into `TenantPaused`, so a revoked key parks workflows
 *   instead of failing them;
 * - `LlmRateLimited`: retryable after the provider's `retry-after`;
 * - provider/key-service unavailability and invalid answers: retryable with the activity's retry policy.
 * Details carry ids and classes only, never key material.
 */
export function toApplicationFailure(err: unknown): Error {
  if (err instanceof ApplicationFailure || err instanceof CancelledFailure) return err;
  if (err instanceof TenantPausedError) {
    return ApplicationFailure.create({
      type: TENANT_PAUSED_FAILURE,
      message: err.message,
      nonRetryable: true,
      details: [
        {
          tenantId: err.tenantId,
          provider: err.provider,
          reason: err.reason,
          retryAfterSeconds: err.retryAfterSeconds ?? null,
        },
      ],
    });
  }
  if (err instanceof KeyNotFoundError) {
    return ApplicationFailure.create({
      type: KEY_NOT_FOUND_FAILURE,
      message: err.message,
      nonRetryable: true,
      details: [{ tenantId: err.tenantId, provider: err.provider }],
    });
  }
  if (err instanceof LlmCallError) {
    const details = [{ errorClass: err.errorClass, status: err.status ?? null }];
    if (err.type === 'LlmBadRequest')
      return ApplicationFailure.create({ type: err.type, message: err.message, nonRetryable: true, details });
    if (err.type === 'LlmKeyRejected') {
      return ApplicationFailure.create({
        type: err.type,
        message: err.message,
        details,
        nextRetryDelay: `${KEY_REJECTED_RETRY_SECONDS}s`,
      });
    }
    if (err.type === 'LlmRateLimited' && err.retryAfterSeconds !== undefined) {
      return ApplicationFailure.create({
        type: err.type,
        message: err.message,
        details,
        nextRetryDelay: `${Math.max(1, Math.ceil(err.retryAfterSeconds))}s`,
      });
    }
    return ApplicationFailure.create({ type: err.type, message: err.message, details });
  }
  if (err instanceof SdkError) {
    const nonRetryable =
      err.type === 'InvalidActivityInput' || err.type === 'SdkNotBound' || err.type === 'ConfigError';
    return ApplicationFailure.create({ type: err.type, message: err.message, nonRetryable });
  }
  return err instanceof Error ? err : new Error(String(err));
}
