import { inspect } from 'node:util';

const secret = new WeakMap<TenantKey, string>();

/**
 * A tenant's LLM API key. The plaintext is held outside the object's own properties, so serialising, logging or
 * inspecting a TenantKey (JSON.stringify, pino, console.log, util.inspect, Temporal payload conversion) shows
 * `[REDACTED]`. Only the LLM clients read it, via {@link revealTenantKey}.
 */
export class TenantKey {
  readonly tenantId: string;
  readonly provider: LlmProvider;
  readonly keyVersion: number;

  constructor(init: { tenantId: string; provider: LlmProvider; keyVersion: number; apiKey: string }) {
    this.tenantId = init.tenantId;
    this.provider = init.provider;
    this.keyVersion = init.keyVersion;
    secret.set(this, init.apiKey);
  }

  toJSON(): Record<string, unknown> {
    return {
      tenantId: this.tenantId,
      provider: this.provider,
      keyVersion: this.keyVersion,
      apiKey: '[REDACTED]',
    };
  }

  toString(): string {
    return `TenantKey(${this.tenantId}/${this.provider} v${this.keyVersion}, [REDACTED])`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** Internal: the plaintext, for the HTTP clients that put it in an Authorization / x-api-key header. */
export function revealTenantKey(key: TenantKey): string {
  const value = secret.get(key);
  if (value === undefined) throw new Error('TenantKey has no key material');
  return value;
}

/** LLM providers the key service stores keys for. */
export const LLM_PROVIDERS = ['openai', 'anthropic'] as const;
export type LlmProvider = (typeof LLM_PROVIDERS)[number];

/** Customer plans (search attribute `Plan`). */
export type TenantPlan = 'mrr' | 'ltd';
