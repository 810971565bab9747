import { request, errors as undiciErrors, type Agent } from 'undici';
import { z } from 'zod';
import type { LlmProvider, TenantKey } from '../keys/tenant-key.js';
import { LlmCallError } from './llm-call-error.js';
import type { ProviderAnswer, ProviderRequest } from './llm-types.js';

const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/** One provider's wire format: sends `req` to `baseUrl` with the tenant's key in one HTTP attempt, reads the answer. */
export type ProviderTransport = (
  dispatcher: Agent,
  baseUrl: string,
  key: TenantKey,
  req: ProviderRequest,
  timeoutMs: number,
  signal?: AbortSignal,
) => Promise<ProviderAnswer>;

/** Error bodies of both providers: OpenAI `{error:{type,code,message}}`, Anthropic `{type:'error', error:{type,message}}`. */
const providerErrorBody = z
  .object({
    error: z
      .object({
        type: z.string().nullish(),
        code: z.union([z.string(), z.number()]).nullish(),
      })
      .loose(),
  })
  .loose();

export interface ProviderHttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** One HTTP attempt to a provider; network failures and timeouts become classified {@link LlmCallError}s. */
export async function postProvider(
  dispatcher: Agent,
  url: string,
  headers: Record<string, string>,
  body: unknown,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ProviderHttpResponse> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    const res = await request(url, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: combined,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      size += buf.length;
      if (size > MAX_ANSWER_BYTES) {
        res.body.destroy();
        throw new LlmCallError(
          'LlmInvalidResponse',
          'invalid_response',
          'server_error',
          `Provider answer exceeds ${MAX_ANSWER_BYTES} bytes`,
          res.statusCode,
        );
      }
      chunks.push(buf);
    }
    return { status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') };
  } catch (err) {
    if (err instanceof LlmCallError) throw err;
    // Cancellation of the activity is not a provider failure: let it propagate unchanged.
    if (signal?.aborted) throw err;
    if (
      timeout.aborted ||
      err instanceof undiciErrors.HeadersTimeoutError ||
      err instanceof undiciErrors.BodyTimeoutError ||
      err instanceof undiciErrors.ConnectTimeoutError
    ) {
      throw new LlmCallError(
        'LlmProviderUnavailable',
        'timeout',
        'timeout',
        `Provider did not answer within ${timeoutMs} ms`,
      );
    }
    const code = (err as { code?: unknown } | null)?.code;
    throw new LlmCallError(
      'LlmProviderUnavailable',
      'server_error',
      'server_error',
      `Provider request failed (${typeof code === 'string' ? code : err instanceof Error ? err.name : 'network error'})`,
    );
  }
}

/** `retry-after-ms` (OpenAI), `retry-after` seconds or HTTP date, in seconds. */
export function retryAfterSeconds(
  headers: ProviderHttpResponse['headers'],
  now = Date.now(),
): number | undefined {
  const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
  const ms = first(headers['retry-after-ms']);
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Number(ms) / 1000;
  const ra = first(headers['retry-after'])?.trim();
  if (!ra) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra)) return Number(ra);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/**
 * Classifies a non-200 provider answer by whom it blames:
 * 401 and key permission errors, quota/billing exhaustion and rate limits are key failures; 5xx, 529, 408 are
 * transient provider failures; other 4xx are the platform's request errors.
 */
export function classifyProviderError(provider: LlmProvider, res: ProviderHttpResponse): LlmCallError {
  let errType: string | undefined;
  let errCode: string | undefined;
  try {
    const parsed = providerErrorBody.safeParse(JSON.parse(res.text));
    if (parsed.success) {
      errType = parsed.data.error.type ?? undefined;
      errCode =
        parsed.data.error.code === null || parsed.data.error.code === undefined
          ? undefined
          : String(parsed.data.error.code);
    }
  } catch {
    // A non-JSON error body (e.g. an HTML 502 page from a proxy) is classified by status alone.
  }
  const detail = [errType, errCode]
    .filter((x): x is string => Boolean(x) && /^[\w.-]{1,64}$/.test(x ?? ''))
    .join('/');
  const what = `${provider} HTTP ${res.status}${detail ? ` ${detail}` : ''}`;
  const s = res.status;
  const retryAfter = retryAfterSeconds(res.headers);
  if (
    errType === 'billing_error' ||
    errType === 'insufficient_quota' ||
    errCode === 'insufficient_quota' ||
    s === 402
  ) {
    return new LlmCallError(
      'LlmKeyRejected',
      'quota_exhausted',
      'quota_exhausted',
      `Tenant key quota exhausted (${what})`,
      s,
    );
  }
  if (
    s === 401 ||
    errType === 'authentication_error' ||
    (provider === 'anthropic' && (s === 403 || errType === 'permission_error'))
  ) {
    return new LlmCallError(
      'LlmKeyRejected',
      'auth_failure',
      'auth_failure',
      `Tenant key rejected (${what})`,
      s,
    );
  }
  if (s === 429 || errType === 'rate_limit_error') {
    return new LlmCallError(
      'LlmRateLimited',
      'rate_limited',
      'rate_limited',
      `Tenant key rate limited (${what})`,
      s,
      retryAfter,
    );
  }
  if (s === 529 || errType === 'overloaded_error') {
    return new LlmCallError(
      'LlmProviderUnavailable',
      'overloaded',
      'overloaded',
      `Provider overloaded (${what})`,
      s,
      retryAfter,
    );
  }
  if (s === 408)
    return new LlmCallError(
      'LlmProviderUnavailable',
      'timeout',
      'timeout',
      `Provider timed out (${what})`,
      s,
    );
  if (s >= 500)
    return new LlmCallError(
      'LlmProviderUnavailable',
      'server_error',
      'server_error',
      `Provider error (${what})`,
      s,
      retryAfter,
    );
  return new LlmCallError(
    'LlmBadRequest',
    'bad_request',
    'bad_request',
    `Provider rejected the request (${what})`,
    s,
  );
}

/** A 200 whose body is not the provider's documented shape: the provider's fault, retried like a 5xx. */
export function invalidAnswer(provider: LlmProvider, why: string): LlmCallError {
  return new LlmCallError(
    'LlmInvalidResponse',
    'invalid_response',
    'server_error',
    `${provider} answer was invalid: ${why}`,
    200,
  );
}

/**
 * Reads a provider answer: a non-200 status becomes its classified error, a body that is not JSON or not of
 * `schema`'s shape becomes an `LlmInvalidResponse` naming `shapeName`.
 */
export function parseProviderAnswer<T>(
  provider: LlmProvider,
  res: ProviderHttpResponse,
  schema: z.ZodType<T>,
  shapeName: string,
): T {
  if (res.status !== 200) throw classifyProviderError(provider, res);
  let json: unknown;
  try {
    json = JSON.parse(res.text);
  } catch {
    throw invalidAnswer(provider, 'body is not JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw invalidAnswer(provider, `body is not ${shapeName}`);
  return parsed.data;
}
