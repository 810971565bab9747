/**
 * Names shared by workflow code (sandbox) and worker/client code. Plain constants and types only: this file is
 * imported from the `./workflow` entry, which must stay free of Node APIs.
 */

/** Signal name: the tenant's key breaker opened; LLM steps park before their next call. */
export const TENANT_PAUSED_SIGNAL = 'apexseo.tenantPaused';
/** Signal name: the tenant was resumed; parked LLM steps retry. */
export const TENANT_RESUMED_SIGNAL = 'apexseo.tenantResumed';
/** Activity registered by `createWorker` that parked workflows call to re-check the key service. */
export const TENANT_KEY_STATUS_ACTIVITY = 'apexseo.tenantKeyStatus';
/** Failure `type` of a paused tenant (non-retryable ApplicationFailure). */
export const TENANT_PAUSED_FAILURE = 'TenantPaused';
/** Failure `type` of a tenant without a stored key (non-retryable ApplicationFailure). */
export const KEY_NOT_FOUND_FAILURE = 'KeyNotFound';

/** Payload of both tenant signals. Carries ids only, never key material. */
export interface TenantSignal {
  readonly tenantId: string;
  /** Absent: every provider of the tenant. */
  readonly provider?: 'openai' | 'anthropic';
  readonly reason?: string;
}

/** Input of the re-check activity. Without `provider`: the tenant's current key. */
export interface TenantKeyStatusInput {
  readonly tenantId: string;
  readonly provider?: 'openai' | 'anthropic';
}

/** Result of the re-check activity. */
export interface TenantKeyStatusResult {
  readonly paused: boolean;
  readonly state: 'closed' | 'open' | 'half_open';
  readonly reason?: string;
}
