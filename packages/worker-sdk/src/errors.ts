/**
 * Named error classes with a machine-readable `type`. Activity code and tests switch on `type`, never on messages.
 * Messages never contain an API key: they name the tenant, provider, field or HTTP status only.
 */

/** Every error the SDK throws on purpose carries one of these `type` values. */
export type SdkErrorType =
  | 'ConfigError'
  | 'KeyServiceError'
  | 'KeyServiceUnauthorized'
  | 'KeyNotFound'
  | 'TenantPaused'
  | 'InvalidActivityInput'
  | 'LlmKeyRejected'
  | 'LlmRateLimited'
  | 'LlmProviderUnavailable'
  | 'LlmBadRequest'
  | 'LlmInvalidResponse'
  | 'SdkNotBound';

/** Base class: `type` is stable and documented; `message` is for humans. */
export class SdkError extends Error {
  readonly type: SdkErrorType;

  constructor(type: SdkErrorType, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.type = type;
    this.name = type;
  }
}

/** One entry per invalid configuration field. */
export interface ConfigIssue {
  /** Dotted option path, e.g. `temporal.address`. */
  readonly field: string;
  /** Environment variable the field is read from, when there is one. */
  readonly env?: string;
  readonly message: string;
}

/** Thrown by `loadWorkerConfig` when any field is invalid; lists every bad field at once. */
export class ConfigError extends SdkError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const lines = issues.map((i) => `  - ${i.field}${i.env ? ` (${i.env})` : ''}: ${i.message}`);
    super('ConfigError', `Invalid worker configuration (${issues.length} field(s)):\n${lines.join('\n')}`);
    this.issues = issues;
  }
}

/** The tenant's key breaker is open: the tenant is paused until it saves a new key or an admin resumes it. */
export class TenantPausedError extends SdkError {
  constructor(
    readonly tenantId: string,
    readonly provider: string,
    readonly reason: string,
    readonly retryAfterSeconds?: number,
  ) {
    super('TenantPaused', `Tenant ${tenantId} is paused for provider ${provider}: ${reason}`);
  }
}

/** The key service has no key for this tenant and provider. */
export class KeyNotFoundError extends SdkError {
  constructor(
    readonly tenantId: string,
    readonly provider: string,
  ) {
    super('KeyNotFound', `No ${provider} key is stored for tenant ${tenantId}`);
  }
}

/** The key service could not be reached or answered with an unexpected status/body (retryable). */
export class KeyServiceError extends SdkError {
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super('KeyServiceError', message, options);
  }
}
