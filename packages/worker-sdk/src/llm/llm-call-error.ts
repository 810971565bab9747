import { SdkError, type SdkErrorType } from '../errors.js';
import type { KeyOutcome } from '../keys/key-service-client.js';
import type { LlmErrorClass } from '../metrics/worker-metrics.js';

/**
 * A failed logical LLM call, already classified. `errorClass` labels `llm_api_errors_total`; `outcome` is what was
 * reported to the key service. Key failures (`auth_failure`, `quota_exhausted`, `rate_limited`) count toward the
 * tenant's breaker; everything else does not. The message names the HTTP status and the provider's error type or
 * code only, never the key or the provider's free-text message (which can echo a key prefix).
 */
export class LlmCallError extends SdkError {
  constructor(
    type: Extract<
      SdkErrorType,
      'LlmKeyRejected' | 'LlmRateLimited' | 'LlmProviderUnavailable' | 'LlmBadRequest' | 'LlmInvalidResponse'
    >,
    readonly errorClass: LlmErrorClass,
    readonly outcome: KeyOutcome,
    message: string,
    readonly status?: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(type, message);
  }

  /** Transient provider-side failures worth another attempt inside the same logical call. */
  get transient(): boolean {
    return (
      this.errorClass === 'server_error' || this.errorClass === 'overloaded' || this.errorClass === 'timeout'
    );
  }

  /** Counts toward the tenant key's breaker. */
  get keyFailure(): boolean {
    return (
      this.outcome === 'auth_failure' || this.outcome === 'quota_exhausted' || this.outcome === 'rate_limited'
    );
  }
}
