/**
 * The audit's HTTP client for hostile pages.
 *
 * - Every connection goes through the guarded connector: resolve once, refuse non-public addresses, connect
 *   to the checked IP. Redirects are followed by hand, so each hop is parsed, scheme-checked and connected
 *   through the same guard; loops and chains longer than `maxRedirects` end the fetch.
 * - Time is bounded three ways: connect, headers, idle body (undici's own timers) and a total deadline that
 *   also stops a server dripping one byte at a time.
 * - Size is bounded twice: bytes on the wire (`maxBodyBytes`, checked against Content-Length first and then
 *   while streaming) and bytes after decompression (`maxDecodedBytes`).
 * - Nothing throws: every failure becomes a recorded `PageOutcome` (`error: timeout`, `error: too large`, ...).
 */
import { Agent, request } from 'undici';
import { BOT_USER_AGENT, type FailedPageOutcome, type FetchOutcome } from '../audit-model.js';
import { decodeText, decompress, notTextReason, parseContentType } from './decode-body.js';
import { FetchFailure } from './fetch-errors.js';
import {
  buildGuardedConnector,
  type GuardOptions,
  pinKey,
  type ResolvedAddress,
  resolveChecked,
} from './guarded-connector.js';

export interface SafeFetcherOptions extends GuardOptions {
  /** Default: `ApexSEO-EEATBot/<version> (+https://apexseo.dev/bot)`. */
  userAgent?: string;
  /** Time to receive the response headers after the request is sent. Default: 10000 ms. */
  headersTimeoutMs?: number;
  /** Longest pause between two body chunks. Default: 10000 ms. */
  bodyTimeoutMs?: number;
  /** Deadline for the whole fetch including redirects and the body. Default: 30000 ms. */
  totalTimeoutMs?: number;
  /** Largest body accepted on the wire (compressed). Default: 5 MiB. */
  maxBodyBytes?: number;
  /** Largest body accepted after decompression. Default: 10 MiB. */
  maxDecodedBytes?: number;
  /** Redirects followed before giving up. Default: 5 (RFC 9309 asks crawlers to follow at least five). */
  maxRedirects?: number;
}

export interface FetchResourceOptions {
  /** Which lower-cased media types count as the expected resource. An empty media type is passed as `''`. */
  accept: (mediaType: string, body: Buffer) => boolean;
  /** `Accept` request header. */
  acceptHeader: string;
}

export interface FetchedResource {
  url: string;
  finalUrl: string;
  redirects: string[];
  status: number;
  mediaType: string;
  headerCharset: string | null;
  /** Decompressed body bytes. */
  body: Buffer;
  remoteAddress: string;
  headers: Record<string, string>;
  elapsedMs: number;
}

export type ResourceOutcome =
  { ok: true; resource: FetchedResource } | { ok: false; outcome: FailedPageOutcome };

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const KEPT_HEADERS = [
  'content-type',
  'content-language',
  'last-modified',
  'strict-transport-security',
  'x-robots-tag',
  'content-security-policy',
];
const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function errorCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** Walks `cause` chains (undici wraps connector errors) looking for one of ours. */
function findFetchFailure(err: unknown): FetchFailure | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof FetchFailure) return current;
    if (current instanceof AggregateError) {
      const inner = current.errors.map(findFetchFailure).find((f) => f !== undefined);
      if (inner) return inner;
    }
    current = current.cause;
  }
  return undefined;
}

function classify(err: unknown, deadline: AbortSignal): FetchFailure {
  const ours = findFetchFailure(err);
  if (ours) return ours;
  const message = err instanceof Error ? err.message : String(err);
  if (deadline.aborted) return new FetchFailure('timeout', 'total fetch deadline exceeded');
  const code = errorCode(err) ?? errorCode(err instanceof Error ? err.cause : undefined);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new FetchFailure('timeout', 'connect timeout');
    case 'UND_ERR_HEADERS_OVERFLOW':
      return new FetchFailure('too_large', 'response headers exceed the size limit');
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return new FetchFailure('connection_failed', 'the body ended before its Content-Length');
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new FetchFailure('timeout', 'headers timeout');
    case 'UND_ERR_BODY_TIMEOUT':
      return new FetchFailure('timeout', 'body timeout (server stopped sending)');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new FetchFailure('dns_failure', message);
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'EPIPE':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return new FetchFailure('connection_failed', message);
    default:
      // HTTP parse errors and TLS failures (bad or untrusted certificates, handshake errors).
      if (
        code !== undefined &&
        (code.startsWith('HPE_') || /CERT|SSL|TLS|UNABLE_TO_|SIGNATURE|EPROTO/.test(code))
      ) {
        return new FetchFailure('connection_failed', `${code}: ${message}`);
      }
      if (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')) {
        return new FetchFailure('timeout', 'total fetch deadline exceeded');
      }
      return new FetchFailure(
        'internal',
        `${code ?? (err instanceof Error ? err.name : 'unknown')}: ${message}`,
      );
  }
}

/** Resolves or rejects with `promise`, or rejects when the deadline fires first (DNS has no timeout of ours). */
function withDeadline<T>(promise: Promise<T>, deadline: AbortSignal): Promise<T> {
  if (deadline.aborted) return Promise.reject(new FetchFailure('timeout', 'total fetch deadline exceeded'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void =>
      reject(new FetchFailure('timeout', 'total fetch deadline exceeded while resolving the host'));
    deadline.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        deadline.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        deadline.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

function parseHttpUrl(raw: string, base?: string): URL {
  let url: URL;
  try {
    url = base === undefined ? new URL(raw) : new URL(raw, base);
  } catch {
    throw new FetchFailure('invalid_url', `not a valid URL: ${JSON.stringify(raw.slice(0, 200))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchFailure('invalid_url', `unsupported scheme ${url.protocol} in ${url.href.slice(0, 200)}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new FetchFailure('invalid_url', 'URLs with credentials are not fetched');
  }
  url.hash = '';
  return url;
}

export class SafeFetcher {
  readonly #agent: Agent;
  readonly #options: SafeFetcherOptions;
  /** Checked addresses of the hosts being fetched right now (host:port -> address), read by the connector. */
  readonly #pinned = new Map<string, ResolvedAddress>();

  constructor(options: SafeFetcherOptions = {}) {
    this.#options = options;
    this.#agent = new Agent({
      connect: buildGuardedConnector(options, this.#pinned),
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      bodyTimeout: options.bodyTimeoutMs ?? 10_000,
      connections: 8,
      keepAliveTimeout: 4_000,
    });
  }

  /**
   * Fetches an HTML page. Non-HTML answers become `skipped: not html`, and so does a body declared as HTML that is
   * not text (a file signature, NUL bytes, undecodable bytes: `notTextReason`).
   */
  async fetchPage(url: string): Promise<FetchOutcome> {
    const started = Date.now();
    const result = await this.fetchResource(url, {
      acceptHeader: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1',
      accept: (mediaType, body) =>
        HTML_TYPES.has(mediaType) ||
        (mediaType === '' && /^\s*</.test(body.subarray(0, 256).toString('latin1'))),
    });
    if (!result.ok) return result;
    const r = result.resource;
    const { text, charset } = decodeText(r.body, r.headerCharset, true);
    const notText = notTextReason(r.body, text, charset);
    if (notText !== null) {
      const declared = r.mediaType === '' ? 'no content type' : r.mediaType;
      return {
        ok: false,
        outcome: { kind: 'skipped', url, reason: 'not_html', detail: `${notText} (declared ${declared})` },
      };
    }
    return {
      ok: true,
      page: {
        url: r.url,
        finalUrl: r.finalUrl,
        redirects: r.redirects,
        status: r.status,
        contentType: r.mediaType === '' ? 'text/html' : r.mediaType,
        charset,
        body: text,
        bytes: r.body.length,
        remoteAddress: r.remoteAddress,
        headers: r.headers,
        fetchedAt: new Date(started).toISOString(),
        elapsedMs: Date.now() - started,
      },
    };
  }

  /** Fetches any resource under the same guards; `accept` decides which media types are wanted. */
  async fetchResource(url: string, options: FetchResourceOptions): Promise<ResourceOutcome> {
    const deadline = AbortSignal.timeout(this.#options.totalTimeoutMs ?? 30_000);
    try {
      return { ok: true, resource: await this.#fetch(url, options, deadline) };
    } catch (err) {
      const failure = classify(err, deadline);
      if (failure instanceof NotAcceptedFailure) {
        return { ok: false, outcome: { kind: 'skipped', url, reason: 'not_html', detail: failure.message } };
      }
      const outcome: FailedPageOutcome = {
        kind: 'error',
        url,
        reason: failure.type,
        detail: failure.message,
      };
      if (failure instanceof HttpStatusFailure) outcome.httpStatus = failure.status;
      return { ok: false, outcome };
    }
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    await this.#agent.close();
  }

  async #fetch(
    rawUrl: string,
    options: FetchResourceOptions,
    deadline: AbortSignal,
  ): Promise<FetchedResource> {
    const started = Date.now();
    let url = parseHttpUrl(rawUrl);
    const redirects: string[] = [];
    const seen = new Set<string>([url.href]);
    const maxRedirects = this.#options.maxRedirects ?? 5;
    for (;;) {
      // Resolve and check once per hop; the connector connects to this very address (pinned), so a DNS
      // answer that changes afterwards cannot steer the socket. Every redirect hop comes back here.
      const port = url.port || (url.protocol === 'https:' ? '443' : '80');
      const resolved = await withDeadline(resolveChecked(url.hostname, port, this.#options), deadline);
      if (this.#pinned.size > 4096) this.#pinned.clear(); // bounded: a missing pin only means one more checked lookup
      this.#pinned.set(pinKey(url.hostname, port), resolved);
      const response = await request(url, {
        dispatcher: this.#agent,
        method: 'GET',
        signal: deadline,
        headers: {
          'user-agent': this.#options.userAgent ?? BOT_USER_AGENT,
          accept: options.acceptHeader,
          'accept-encoding': 'gzip, deflate, br',
          'accept-language': 'en;q=1, *;q=0.5',
        },
      });
      const status = response.statusCode;
      if (REDIRECT_STATUSES.has(status)) {
        await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        const location = headerValue(response.headers.location);
        if (location === undefined)
          throw new FetchFailure('http_status', `redirect ${status} without Location`);
        const next = parseHttpUrl(location, url.href);
        if (seen.has(next.href))
          throw new FetchFailure('redirect_limit', `redirect loop back to ${next.href}`);
        if (redirects.length >= maxRedirects)
          throw new FetchFailure('redirect_limit', `more than ${maxRedirects} redirects`);
        seen.add(next.href);
        redirects.push(next.href);
        url = next;
        continue;
      }
      // 3xx other than the redirects above (300, 304, ...) carries no page either.
      if (status >= 300 || status < 200) {
        await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        throw new HttpStatusFailure(status);
      }
      const { mediaType, charset } = parseContentType(headerValue(response.headers['content-type']));
      const raw = await this.#readBody(response.body, headerValue(response.headers['content-length']));
      const body = await decompress(
        headerValue(response.headers['content-encoding']) ?? '',
        raw,
        this.#options.maxDecodedBytes ?? 10 * 1024 * 1024,
      );
      if (!options.accept(mediaType, body)) throw new NotAcceptedFailure(mediaType || 'no content type');
      const headers: Record<string, string> = {};
      for (const name of KEPT_HEADERS) {
        const value = headerValue(response.headers[name]);
        if (value !== undefined) headers[name] = value.slice(0, 2000);
      }
      return {
        url: rawUrl,
        finalUrl: url.href,
        redirects,
        status,
        mediaType,
        headerCharset: charset,
        body,
        remoteAddress: resolved.address,
        headers,
        elapsedMs: Date.now() - started,
      };
    }
  }

  async #readBody(
    body: AsyncIterable<Buffer> & { destroy(err?: Error): unknown },
    contentLength: string | undefined,
  ): Promise<Buffer> {
    const max = this.#options.maxBodyBytes ?? 5 * 1024 * 1024;
    const declared = contentLength === undefined ? NaN : Number(contentLength);
    if (Number.isFinite(declared) && declared > max) {
      body.destroy();
      throw new FetchFailure('too_large', `Content-Length ${declared} exceeds ${max} bytes`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of body) {
      total += chunk.length;
      if (total > max) {
        body.destroy();
        throw new FetchFailure('too_large', `body exceeds ${max} bytes`);
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, total);
  }
}

class HttpStatusFailure extends FetchFailure {
  readonly status: number;
  constructor(status: number) {
    super('http_status', `HTTP ${status}`);
    this.name = 'HttpStatusFailure';
    this.status = status;
  }
}

/** The answer is not the kind of resource asked for (e.g. a PDF where a page was expected). */
class NotAcceptedFailure extends FetchFailure {
  constructor(mediaType: string) {
    super('internal', `content type ${mediaType} is not an HTML page`);
    this.name = 'NotAcceptedFailure';
  }
}
