import type { Provider } from '../../src/domain/provider.js';

/** A small HTTP client for tests: JSON in, status + parsed JSON (or text) out. */
export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
}

export interface CallOptions {
  readonly method?: string;
  readonly token?: string;
  readonly body?: unknown;
  /** Raw bytes/string sent as-is (with `contentType`), for malformed-input tests. */
  readonly raw?: string | Uint8Array;
  readonly contentType?: string;
}

export async function call(baseUrl: string, path: string, options: CallOptions = {}): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | Uint8Array | undefined;
  if (options.raw !== undefined) {
    body = options.raw;
    headers['content-type'] = options.contentType ?? 'application/json';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    ...(body === undefined ? {} : { body: body as BodyInit }),
  });
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** The `error` object of an error answer. */
export function errorOf(result: HttpResult): { code: string; message: string; [k: string]: unknown } {
  return (result.json as { error: { code: string; message: string } }).error;
}

/** A realistic-looking provider key, unique per call so scans can look for it. */
export function fakeProviderKey(provider: Provider): string {
  const random = crypto.randomUUID().replaceAll('-', '') + crypto.randomUUID().replaceAll('-', '');
  return provider === 'openai' ? `sk-proj-${random}` : `sk-ant-api03-${random}`;
}
