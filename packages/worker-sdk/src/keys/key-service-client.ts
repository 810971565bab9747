import { Agent, request, errors as undiciErrors } from 'undici';
import { z } from 'zod';
import { KeyNotFoundError, KeyServiceError, SdkError, TenantPausedError } from '../errors.js';
import { jitteredDelayMs, sleep } from './retry.js';
import type { ServiceAccountToken } from './service-account-token.js';
import { LLM_PROVIDERS, TenantKey, type LlmProvider } from './tenant-key.js';

/** Outcomes reported to the key service after each logical LLM call (docs/architecture.md). */
export const KEY_OUTCOMES = [
  'success',
  'auth_failure',
  'quota_exhausted',
  'rate_limited',
  'server_error',
  'overloaded',
  'timeout',
  'bad_request',
] as const;
export type KeyOutcome = (typeof KEY_OUTCOMES)[number];

const providerSchema = z.enum(LLM_PROVIDERS);
const breakerStateSchema = z.enum(['closed', 'open', 'half_open']);

const acquireResponse = z.object({
  tenantId: z.string(),
  provider: providerSchema,
  keyVersion: z.number().int(),
  apiKey: z.string().min(1),
  probe: z.boolean(),
});

const reportResponse = z.object({
  state: breakerStateSchema,
  tripped: z.boolean(),
  consecutiveFailures: z.number().int().min(0),
  retryAfterSeconds: z.number().min(0).optional(),
});

const statusResponse = z.object({
  state: breakerStateSchema,
  /** The provider of the key the answer is about (absent when the tenant has no key). */
  provider: providerSchema.optional(),
  paused: z.boolean(),
  reason: z.string().optional(),
  retryAfterSeconds: z.number().min(0).optional(),
  keyVersion: z.number().int().optional(),
});

const errorBody = z
  .object({
    error: z.object({ code: z.string(), message: z.string().optional() }).loose(),
    reason: z.string().optional(),
    retryAfterSeconds: z.number().min(0).optional(),
  })
  .loose();

/** What `acquire` hands out: the key (redacted in any serialisation) plus breaker bookkeeping. */
export interface AcquiredKey {
  readonly key: TenantKey;
  /** True when the breaker is half-open and this caller is the single allowed probe. */
  readonly probe: boolean;
}

export type ReportResult = z.output<typeof reportResponse>;
export type KeyStatus = z.output<typeof statusResponse>;

export interface KeyServiceClientOptions {
  /** Base URL, e.g. `http://key-service:8080`. */
  readonly url: string;
  readonly token: ServiceAccountToken;
  /** Per-attempt timeout in milliseconds. @default 5000 */
  readonly timeoutMs?: number;
  /** Extra attempts on 5xx and network errors. @default 2 */
  readonly maxRetries?: number;
}

const MAX_BODY_BYTES = 64 * 1024;

/** Tenant id of the read-only status call that checks the worker's token (a tenant without keys reads `closed`). */
const ACCESS_CHECK_TENANT = 'apexseo-access-check';
/** How long a verdict on the worker's token is trusted before readiness asks the key service again. */
const ACCESS_VERDICT_MS = 10_000;

/**
 * Worker-side client of the key service (`/v1/keys/acquire|report|status`). Authenticates with the pod's projected
 * ServiceAccount token, retries 5xx and network errors a bounded number of times with full jitter, and validates
 * every answer with zod. Never puts the key into an error message.
 */
export class KeyServiceClient {
  private readonly dispatcher: Agent;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  /** The key service's last verdict on this worker's token: refused (401/403, unreadable token) or accepted. */
  private accessVerdict: { accepted: boolean; at: number } | undefined;

  constructor(private readonly options: KeyServiceClientOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.maxRetries = options.maxRetries ?? 2;
    this.dispatcher = new Agent({
      connectTimeout: this.timeoutMs,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      keepAliveTimeout: 30_000,
    });
  }

  /** Acquires the tenant's key just before an LLM call. 404 → {@link KeyNotFoundError}; 423 → {@link TenantPausedError}. */
  async acquire(tenantId: string, provider: LlmProvider): Promise<AcquiredKey> {
    const { status, body } = await this.post('/v1/keys/acquire', { tenantId, provider });
    if (status === 200) {
      const parsed = acquireResponse.safeParse(body);
      if (!parsed.success)
        throw new KeyServiceError('Key service acquire answer did not match the contract', status);
      const { keyVersion, apiKey, probe } = parsed.data;
      return { key: new TenantKey({ tenantId, provider, keyVersion, apiKey }), probe };
    }
    throw this.errorFor(status, body, tenantId, provider, 'acquire');
  }

  /** Reports one logical call's outcome; the answer says whether this report tripped the breaker. */
  async report(input: {
    tenantId: string;
    provider: LlmProvider;
    keyVersion: number;
    outcome: KeyOutcome;
    retryAfterSeconds?: number;
  }): Promise<ReportResult> {
    const { status, body } = await this.post('/v1/keys/report', input);
    if (status === 200) {
      const parsed = reportResponse.safeParse(body);
      if (!parsed.success)
        throw new KeyServiceError('Key service report answer did not match the contract', status);
      return parsed.data;
    }
    throw this.errorFor(status, body, input.tenantId, input.provider, 'report');
  }

  /**
   * Current breaker state of the tenant's key (used by parked workflows to re-check). Without `provider`: of the
   * tenant's current key (the one stored last), whose provider the answer names.
   */
  async status(tenantId: string, provider?: LlmProvider): Promise<KeyStatus> {
    const { status, body } = await this.post(
      '/v1/keys/status',
      provider ? { tenantId, provider } : { tenantId },
    );
    if (status === 200) {
      const parsed = statusResponse.safeParse(body);
      if (!parsed.success)
        throw new KeyServiceError('Key service status answer did not match the contract', status);
      return parsed.data;
    }
    throw this.errorFor(status, body, tenantId, provider, 'status');
  }

  /**
   * Whether the key service accepts this worker's token (readiness): answered from the last call's verdict when it
   * is recent, else by a read-only status call. A key service that cannot be reached is not the token's fault and
   * counts as accepted, so an outage of the key service does not take every worker out of its Service at once.
   */
  async canAuthenticate(): Promise<boolean> {
    const verdict = this.accessVerdict;
    if (verdict && Date.now() - verdict.at < ACCESS_VERDICT_MS) return verdict.accepted;
    try {
      await this.status(ACCESS_CHECK_TENANT, 'openai');
      return true;
    } catch (err) {
      return !(err instanceof SdkError && err.type === 'KeyServiceUnauthorized');
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private errorFor(
    status: number,
    body: unknown,
    tenantId: string,
    provider: string | undefined,
    op: string,
  ): Error {
    provider ??= 'any provider';
    const parsed = errorBody.safeParse(body);
    const code = parsed.success ? parsed.data.error.code : undefined;
    if (status === 404 && code === 'KEY_NOT_FOUND') return new KeyNotFoundError(tenantId, provider);
    if (status === 423) {
      const reason = (parsed.success ? parsed.data.reason : undefined) ?? 'key breaker open';
      const retryAfter = parsed.success ? parsed.data.retryAfterSeconds : undefined;
      return new TenantPausedError(tenantId, provider, reason, retryAfter);
    }
    if (status === 401 || status === 403) {
      return new SdkError(
        'KeyServiceUnauthorized',
        `Key service refused ${op} (HTTP ${status}${code ? ` ${code}` : ''})`,
      );
    }
    return new KeyServiceError(
      `Key service ${op} failed with HTTP ${status}${code ? ` ${code}` : ''}`,
      status,
    );
  }

  private async post(path: string, payload: unknown): Promise<{ status: number; body: unknown }> {
    let tokenReloaded = false;
    for (let attempt = 0; ; attempt++) {
      let token: string;
      try {
        token = tokenReloaded ? await this.options.token.reload() : await this.options.token.get();
      } catch (err) {
        this.accessVerdict = { accepted: false, at: Date.now() };
        throw err;
      }
      let status: number;
      let body: unknown;
      try {
        const res = await request(`${this.baseUrl}${path}`, {
          method: 'POST',
          dispatcher: this.dispatcher,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(payload),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        status = res.statusCode;
        const text = await readLimited(res.body, MAX_BODY_BYTES);
        body = parseJson(text);
      } catch (cause) {
        if (attempt < this.maxRetries && isNetworkError(cause)) {
          await sleep(jitteredDelayMs(attempt + 1));
          continue;
        }
        throw new KeyServiceError(
          `Key service ${path} unreachable: ${describeNetworkError(cause)}`,
          undefined,
          { cause },
        );
      }
      // A rotated token: the kubelet may have swapped the file between our stat and the service's check.
      if (status === 401 && !tokenReloaded) {
        tokenReloaded = true;
        continue;
      }
      if (status >= 500 && attempt < this.maxRetries) {
        await sleep(jitteredDelayMs(attempt + 1));
        continue;
      }
      if (status < 500) this.accessVerdict = { accepted: status !== 401 && status !== 403, at: Date.now() };
      return { status, body };
    }
  }
}

async function readLimited(
  body: AsyncIterable<Buffer | Uint8Array | string>,
  limit: number,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    size += buf.length;
    if (size > limit) throw new KeyServiceError(`Key service answer larger than ${limit} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isNetworkError(err: unknown): boolean {
  if (err instanceof KeyServiceError) return false;
  if (err instanceof undiciErrors.UndiciError) return true;
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+/.test(code);
}

function describeNetworkError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${err.name} ${code}` : err.name;
  }
  return 'unknown error';
}
