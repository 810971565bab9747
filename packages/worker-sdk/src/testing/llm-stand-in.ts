/**
 * `LlmStandIn`: a local stand-in for the two paid LLM APIs the platform calls, speaking their real wire formats on loopback:
 * OpenAI `POST /v1/chat/completions` (Bearer key) and Anthropic `POST /v1/messages` (`x-api-key`,
 * `anthropic-version`). Tests script its answers per API key — success, 401, 429 with `retry-after`, quota and
 * billing exhaustion, 529 overloaded, 5xx, slow answers, malformed JSON — and read back how often each key called.
 *
 * @example
 * const llm = await startLlmStandIn();
 * llm.script('sk-tenant-a', { kind: 'auth_error' }, { kind: 'ok', json: { score: 80 } });
 * // point the worker at it: APEXSEO_OPENAI_BASE_URL = APEXSEO_ANTHROPIC_BASE_URL = llm.url
 * expect(llm.calls('sk-tenant-a')).toBe(2);
 * await llm.close();
 *
 * Rules: a key's scripted answers are used in order, one per request; when they run out, the key's default (set
 * with `setDefault`, else the stand-in's default `{ kind: 'ok' }`) answers. Requests without a key get the
 * provider's 401; malformed requests get the provider's 400. Error bodies are the providers' documented shapes.
 * An `ok` answer to a structured-output request without `json` carries an example value built from the request's
 * JSON Schema (first enum value, minimum numbers, `"example"` strings), so local development works unscripted.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer. `delayMs` holds the answer back (a slow provider); it applies to every kind. */
export type ScriptedAnswer =
  | { readonly kind: 'ok'; readonly text?: string; readonly json?: unknown; readonly delayMs?: number }
  | { readonly kind: 'auth_error'; readonly delayMs?: number }
  | { readonly kind: 'rate_limited'; readonly retryAfterSeconds?: number; readonly delayMs?: number }
  | { readonly kind: 'quota_exhausted'; readonly delayMs?: number }
  | { readonly kind: 'overloaded'; readonly delayMs?: number }
  | { readonly kind: 'server_error'; readonly status?: 500 | 502 | 503 | 504; readonly delayMs?: number }
  | { readonly kind: 'bad_request'; readonly delayMs?: number }
  | { readonly kind: 'malformed'; readonly delayMs?: number }
  /** Accepts the request and never answers (until the client gives up or the stand-in closes). */
  | { readonly kind: 'hang' };

export type LlmApi = 'openai' | 'anthropic';

/** A request as the stand-in received it. The key is kept only as the per-key bucket it was counted in. */
export interface RecordedRequest {
  readonly api: LlmApi;
  readonly apiKey: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
  /** The answer kind that was sent. */
  readonly answered: ScriptedAnswer['kind'] | 'missing_key' | 'invalid_request';
  /** When the request arrived (`Date.now()`). */
  readonly at: number;
}

/** A function answer: decides per request (e.g. by model or message). */
export type AnswerFn = (request: { api: LlmApi; body: Record<string, unknown> }) => ScriptedAnswer;

export interface LlmStandIn {
  /** Base URL for both APIs, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  readonly url: string;
  /** Queues answers for a key, used in order. */
  script(apiKey: string, ...answers: readonly ScriptedAnswer[]): void;
  /** Answer for a key once its queue is empty (or for every key with `'*'`). */
  setDefault(apiKey: string, answer: ScriptedAnswer | AnswerFn): void;
  /** Requests received for a key (every status), or for all keys. */
  calls(apiKey?: string): number;
  /** Received requests, oldest first, optionally for one key. */
  requests(apiKey?: string): readonly RecordedRequest[];
  /** Forgets scripts, defaults and counters. */
  reset(): void;
  close(): Promise<void>;
}

export interface StartLlmStandInOptions {
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
}

const MAX_REQUEST_BYTES = 1024 * 1024;

export async function startLlmStandIn(options: StartLlmStandInOptions = {}): Promise<LlmStandIn> {
  const queues = new Map<string, ScriptedAnswer[]>();
  const defaults = new Map<string, ScriptedAnswer | AnswerFn>();
  const recorded: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const api: LlmApi | undefined =
      req.method === 'POST' && path === '/v1/chat/completions'
        ? 'openai'
        : req.method === 'POST' && path === '/v1/messages'
          ? 'anthropic'
          : undefined;
    if (!api) {
      send(res, 404, {
        error: {
          message: `Unknown request URL: ${req.method} ${path}`,
          type: 'invalid_request_error',
          param: null,
          code: 'unknown_url',
        },
      });
      return;
    }
    const receivedAt = Date.now();
    const raw = await readBody(req);
    const apiKey =
      api === 'openai' ? bearer(req.headers.authorization) : headerValue(req.headers['x-api-key']);
    let body: unknown;
    try {
      body = JSON.parse(raw) as unknown;
    } catch {
      body = undefined;
    }
    const record = (answered: RecordedRequest['answered']): void => {
      recorded.push({ api, apiKey, headers: redactHeaders(req.headers), body, answered, at: receivedAt });
    };
    if (!apiKey) {
      record('missing_key');
      sendError(res, api, 'auth_error');
      return;
    }
    const invalid = validateRequest(api, body, req.headers);
    if (invalid) {
      record('invalid_request');
      sendError(res, api, 'bad_request', invalid);
      return;
    }
    const answer = nextAnswer(apiKey, api, body as Record<string, unknown>);
    record(answer.kind);
    if (answer.kind === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (answer.delayMs) await delay(answer.delayMs);
    if (res.destroyed) return;
    if (answer.kind === 'ok') {
      send(
        res,
        200,
        api === 'openai'
          ? openAiCompletion(body as Record<string, unknown>, answer)
          : anthropicMessage(body as Record<string, unknown>, answer),
      );
      return;
    }
    if (answer.kind === 'malformed') {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"id":"chatcmpl-broken","choices":[{"message":');
      return;
    }
    sendError(res, api, answer.kind, undefined, answer);
  }

  function nextAnswer(apiKey: string, api: LlmApi, body: Record<string, unknown>): ScriptedAnswer {
    const queued = queues.get(apiKey)?.shift();
    if (queued) return queued;
    const fallback = defaults.get(apiKey) ?? defaults.get('*') ?? { kind: 'ok' };
    return typeof fallback === 'function' ? fallback({ api, body }) : fallback;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    script(apiKey, ...answers) {
      const q = queues.get(apiKey) ?? [];
      q.push(...answers);
      queues.set(apiKey, q);
    },
    setDefault(apiKey, answer) {
      defaults.set(apiKey, answer);
    },
    calls(apiKey) {
      return apiKey === undefined ? recorded.length : recorded.filter((r) => r.apiKey === apiKey).length;
    },
    requests(apiKey) {
      return apiKey === undefined ? [...recorded] : recorded.filter((r) => r.apiKey === apiKey);
    },
    reset() {
      queues.clear();
      defaults.clear();
      recorded.length = 0;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function validateRequest(
  api: LlmApi,
  body: unknown,
  headers: IncomingMessage['headers'],
): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'We could not parse the JSON body of your request.';
  const b = body as Record<string, unknown>;
  if (typeof b['model'] !== 'string' || !b['model']) return 'model: Field required';
  if (!Array.isArray(b['messages']) || b['messages'].length === 0) return 'messages: Field required';
  if (api === 'anthropic') {
    if (!headerValue(headers['anthropic-version'])) return 'anthropic-version: header is required';
    if (typeof b['max_tokens'] !== 'number') return 'max_tokens: Field required';
    for (const m of b['messages'] as unknown[]) {
      const role = (m as { role?: unknown } | null)?.role;
      if (role !== 'user' && role !== 'assistant') return 'messages: roles must be user or assistant';
    }
  }
  return undefined;
}

function openAiCompletion(body: Record<string, unknown>, answer: { text?: string; json?: unknown }): unknown {
  const format = body['response_format'] as { type?: string; json_schema?: { schema?: unknown } } | undefined;
  const content =
    format?.type === 'json_schema'
      ? JSON.stringify(answer.json ?? exampleOf(format.json_schema?.schema))
      : (answer.text ?? 'ok');
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: String(body['model']),
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
    system_fingerprint: 'fp_standin',
  };
}

function anthropicMessage(body: Record<string, unknown>, answer: { text?: string; json?: unknown }): unknown {
  const choice = body['tool_choice'] as { type?: string; name?: string } | undefined;
  const tool = (body['tools'] as { name?: string; input_schema?: unknown }[] | undefined)?.find(
    (t) => t.name === choice?.name,
  );
  const content =
    choice?.type === 'tool' && choice.name
      ? [
          {
            type: 'tool_use',
            id: `toolu_${randomUUID().replace(/-/g, '')}`,
            name: choice.name,
            input: answer.json ?? exampleOf(tool?.input_schema),
          },
        ]
      : [{ type: 'text', text: answer.text ?? 'ok' }];
  return {
    id: `msg_${randomUUID().replace(/-/g, '')}`,
    type: 'message',
    role: 'assistant',
    model: String(body['model']),
    content,
    stop_reason: choice?.type === 'tool' ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 12, output_tokens: 7 },
  };
}

type ErrorKind = Exclude<ScriptedAnswer['kind'], 'ok' | 'malformed' | 'hang'>;

/** Status codes, headers and bodies as the providers document them. */
function sendError(
  res: ServerResponse,
  api: LlmApi,
  kind: ErrorKind,
  message?: string,
  answer?: ScriptedAnswer,
): void {
  const retryAfter = answer?.kind === 'rate_limited' ? (answer.retryAfterSeconds ?? 1) : undefined;
  if (api === 'openai') {
    const table: Record<ErrorKind, [number, { message: string; type: string; code: string | null }]> = {
      auth_error: [
        401,
        {
          message:
            'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      ],
      rate_limited: [
        429,
        {
          message: 'Rate limit reached for requests. Please try again later.',
          type: 'requests',
          code: 'rate_limit_exceeded',
        },
      ],
      quota_exhausted: [
        429,
        {
          message: 'You exceeded your current quota, please check your plan and billing details.',
          type: 'insufficient_quota',
          code: 'insufficient_quota',
        },
      ],
      overloaded: [
        503,
        {
          message: 'The engine is currently overloaded, please try again later',
          type: 'server_error',
          code: null,
        },
      ],
      server_error: [
        answer?.kind === 'server_error' ? (answer.status ?? 500) : 500,
        {
          message: 'The server had an error while processing your request. Sorry about that!',
          type: 'server_error',
          code: null,
        },
      ],
      bad_request: [
        400,
        { message: message ?? "Invalid value for 'messages'.", type: 'invalid_request_error', code: null },
      ],
    };
    const [status, error] = table[kind];
    const headers: Record<string, string> = { 'x-request-id': `req_${randomUUID()}` };
    if (retryAfter !== undefined) {
      headers['retry-after'] = String(retryAfter);
      headers['retry-after-ms'] = String(retryAfter * 1000);
      headers['x-ratelimit-remaining-requests'] = '0';
    }
    send(res, status, { error: { ...error, param: null } }, headers);
    return;
  }
  const table: Record<ErrorKind, [number, string, string]> = {
    auth_error: [401, 'authentication_error', 'invalid x-api-key'],
    rate_limited: [
      429,
      'rate_limit_error',
      'Number of request tokens has exceeded your per-minute rate limit',
    ],
    quota_exhausted: [400, 'billing_error', 'Your credit balance is too low to access the Anthropic API.'],
    overloaded: [529, 'overloaded_error', 'Overloaded'],
    server_error: [
      answer?.kind === 'server_error' ? (answer.status ?? 500) : 500,
      'api_error',
      'Internal server error',
    ],
    bad_request: [400, 'invalid_request_error', message ?? 'messages: Field required'],
  };
  const [status, type, text] = table[kind];
  const requestId = `req_${randomUUID().replace(/-/g, '')}`;
  const headers: Record<string, string> = { 'request-id': requestId };
  if (retryAfter !== undefined) {
    headers['retry-after'] = String(retryAfter);
    headers['anthropic-ratelimit-requests-remaining'] = '0';
  }
  send(res, status, { type: 'error', error: { type, message: text }, request_id: requestId }, headers);
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_REQUEST_BYTES) break;
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function bearer(value: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(value ?? '');
  return match?.[1]?.trim() || undefined;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s?.trim() || undefined;
}

function redactHeaders(headers: IncomingMessage['headers']): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = { ...headers };
  if (out['authorization']) out['authorization'] = '[present]';
  if (out['x-api-key']) out['x-api-key'] = '[present]';
  return out;
}

/** A value that satisfies a (draft-7, zod-generated) JSON Schema: the shape structured outputs are asked for. */
export function exampleOf(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null) return {};
  const s = schema as Record<string, unknown>;
  if (Array.isArray(s['enum'])) return s['enum'][0];
  if ('const' in s) return s['const'];
  const anyOf = (s['anyOf'] ?? s['oneOf']) as unknown[] | undefined;
  if (Array.isArray(anyOf)) return exampleOf(anyOf[0]);
  const type = Array.isArray(s['type']) ? (s['type'] as unknown[])[0] : s['type'];
  switch (type) {
    case 'string':
      return typeof s['minLength'] === 'number' && s['minLength'] > 7
        ? 'x'.repeat(s['minLength'])
        : 'example';
    case 'number':
    case 'integer':
      return typeof s['minimum'] === 'number' ? s['minimum'] : 0;
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'array': {
      const min = typeof s['minItems'] === 'number' ? s['minItems'] : 0;
      return Array.from({ length: min }, () => exampleOf(s['items']));
    }
    default: {
      const properties = (s['properties'] ?? {}) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, exampleOf(v)]));
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
