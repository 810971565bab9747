/**
 * `LocalKeyService`: an in-process key service for tests and local development. It serves the production key
 * service's HTTP contract on loopback (docs/architecture.md, "Key service HTTP API": the worker API `acquire`,
 * `report`, `status` and the admin API), so a worker talks to it through the SDK's real `KeyServiceClient`, with its
 * real token file, retries and error mapping. What it leaves out is what needs a cluster: keys live in memory in
 * plain form (test keys only), and the only token it accepts is a development token it issued itself
 * ({@link DevTokenIssuer}), which the production key service refuses.
 *
 * The breaker follows the key service's rules exactly: only `auth_failure`, `quota_exhausted` and `rate_limited`
 * count; the report that makes the count exceed `failureThreshold` opens the breaker and is the only one answered
 * `tripped: true`; auth and quota trips stay open until a new key version is stored or the tenant is resumed; a
 * rate-limit trip half-opens after `max(cooldownSeconds, retryAfterSeconds)` and admits exactly one `probe`; reports
 * about a superseded key version change nothing. The repository runs the same contract scenarios against this class
 * and the real key service, so the two cannot drift apart.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KEY_OUTCOMES, type KeyOutcome } from '../keys/key-service-client.js';
import { LLM_PROVIDERS, type LlmProvider } from '../keys/tenant-key.js';
import { DevTokenIssuer } from './dev-token.js';

type TripReason = 'auth_failure' | 'quota_exhausted' | 'rate_limited';
type BreakerState = 'closed' | 'open' | 'half_open';

const PROVIDERS: readonly LlmProvider[] = LLM_PROVIDERS;
const OUTCOMES: readonly KeyOutcome[] = KEY_OUTCOMES;
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const MAX_BODY_BYTES = 16 * 1024;

export interface LocalKeyServiceOptions {
  /** Consecutive key failures tolerated; the next one trips. @default 5 */
  readonly failureThreshold?: number;
  /** Minimum open time of a rate-limit trip before one probe. @default 30 */
  readonly cooldownSeconds?: number;
  /** How long the single half-open probe holds its lease. @default 30 */
  readonly probeLeaseSeconds?: number;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
}

/** A trip as the local key service recorded it (for "no provider call after the trip" assertions). */
export interface RecordedTrip {
  readonly tenantId: string;
  readonly provider: LlmProvider;
  readonly keyVersion: number;
  readonly reason: TripReason;
  /** `Date.now()` when the tripping report was applied. */
  readonly at: number;
}

/** A key-service call as the local key service received it (tenant, provider and outcome; never a key). */
export interface RecordedKeyCall {
  readonly op: 'acquire' | 'report' | 'status';
  readonly tenantId: string | undefined;
  readonly provider: LlmProvider | undefined;
  readonly status: number;
  readonly outcome?: KeyOutcome;
  readonly at: number;
}

export interface KeyStatusView {
  readonly state: BreakerState;
  readonly paused: boolean;
  readonly reason?: TripReason;
  readonly retryAfterSeconds?: number;
  readonly keyVersion?: number;
  readonly provider?: LlmProvider;
}

interface Breaker {
  state: BreakerState;
  reason: TripReason | null;
  failures: number;
  reopenAt: number | null;
  probeUntil: number | null;
}

interface StoredKey {
  provider: LlmProvider;
  version: number;
  apiKey: string | undefined;
  storedAt: number;
  storeSeq: number;
  breakers: Map<number, Breaker>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

const closed = (): Breaker => ({
  state: 'closed',
  reason: null,
  failures: 0,
  reopenAt: null,
  probeUntil: null,
});
const isKeyFailure = (o: KeyOutcome): o is TripReason =>
  o === 'auth_failure' || o === 'quota_exhausted' || o === 'rate_limited';

export class LocalKeyService {
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** The admin bearer token of this instance's admin API. */
  readonly adminToken: string;
  readonly #tokens: DevTokenIssuer;
  readonly #keys = new Map<string, StoredKey>();
  /** Every stored version's key, for {@link apiKeyOf} (test keys only). */
  readonly #history = new Map<string, string>();
  readonly #trips: RecordedTrip[] = [];
  readonly #calls: RecordedKeyCall[] = [];
  readonly #threshold: number;
  readonly #cooldownMs: number;
  readonly #leaseMs: number;
  readonly #server: Server;
  #storeSeq = 0;

  private constructor(server: Server, url: string, tokens: DevTokenIssuer, options: LocalKeyServiceOptions) {
    this.#server = server;
    this.url = url;
    this.#tokens = tokens;
    this.adminToken = randomBytes(24).toString('base64url');
    this.#threshold = options.failureThreshold ?? 5;
    this.#cooldownMs = (options.cooldownSeconds ?? 30) * 1000;
    this.#leaseMs = (options.probeLeaseSeconds ?? 30) * 1000;
  }

  /** Starts the HTTP API on loopback. */
  static async start(options: LocalKeyServiceOptions = {}): Promise<LocalKeyService> {
    // The handler is attached once the instance exists; until then nothing can have connected.
    const server = createServer();
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const service = new LocalKeyService(server, `http://${host}:${port}`, new DevTokenIssuer(), options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void service.#handle(req, res));
    return service;
  }

  /** A development token this instance accepts (and the production key service refuses). */
  mintToken(options: { ttlSeconds?: number } = {}): string {
    return this.#tokens.mint(options);
  }

  /** Stores a new version of the tenant's key (its breaker starts closed) and returns the version. */
  putKey(tenantId: string, provider: LlmProvider, apiKey: string): number {
    assertTenantId(tenantId);
    const id = `${tenantId}\u0000${provider}`;
    const existing = this.#keys.get(id);
    const version = (existing?.version ?? 0) + 1;
    const breakers = existing?.breakers ?? new Map<number, Breaker>();
    breakers.set(version, closed());
    this.#history.set(`${id}\u0000${version}`, apiKey);
    this.#keys.set(id, {
      provider,
      version,
      apiKey,
      storedAt: Date.now(),
      storeSeq: ++this.#storeSeq,
      breakers,
    });
    return version;
  }

  /** The key stored as `keyVersion` (default: the current version); throws when there is none. */
  apiKeyOf(tenantId: string, provider: LlmProvider, keyVersion?: number): string {
    const version = keyVersion ?? this.#keys.get(`${tenantId}\u0000${provider}`)?.version;
    const apiKey = this.#history.get(`${tenantId}\u0000${provider}\u0000${String(version)}`);
    if (apiKey === undefined)
      throw new Error(`no ${provider} key version ${String(version)} for tenant ${tenantId}`);
    return apiKey;
  }

  /** Erases the tenant's key (its version counter stays, as in the key service). */
  deleteKey(tenantId: string, provider: LlmProvider): boolean {
    const key = this.#keys.get(`${tenantId}\u0000${provider}`);
    if (!key?.apiKey) return false;
    key.apiKey = undefined;
    return true;
  }

  /** Admin resume: closes the current breakers of one or all of the tenant's providers; returns those it reset. */
  resume(tenantId: string, provider?: LlmProvider): LlmProvider[] {
    const resumed: LlmProvider[] = [];
    for (const key of this.#tenantKeys(tenantId)) {
      if (provider && key.provider !== provider) continue;
      const breaker = key.breakers.get(key.version);
      if (breaker && breaker.state !== 'closed') {
        key.breakers.set(key.version, closed());
        resumed.push(key.provider);
      }
    }
    return resumed.sort();
  }

  /** What `POST /v1/keys/status` answers; without `provider`, for the tenant's most recently stored key. */
  status(tenantId: string, provider?: LlmProvider): KeyStatusView {
    const key = this.#currentKey(tenantId, provider);
    if (!key) return { state: 'closed', paused: false };
    return { ...this.#view(this.#breaker(key), Date.now()), keyVersion: key.version, provider: key.provider };
  }

  /** Every trip so far, oldest first. */
  trips(tenantId?: string): readonly RecordedTrip[] {
    return this.#trips.filter((t) => tenantId === undefined || t.tenantId === tenantId);
  }

  /** Every worker API call so far, oldest first (never a key or token). */
  calls(tenantId?: string): readonly RecordedKeyCall[] {
    return this.#calls.filter((c) => tenantId === undefined || c.tenantId === tenantId);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // --- HTTP ---------------------------------------------------------------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let op: RecordedKeyCall['op'] | undefined;
    let ref: { tenantId?: string; provider?: LlmProvider; outcome?: KeyOutcome } = {};
    try {
      if (req.method === 'GET' && (path === '/healthz' || path === '/readyz')) {
        send(res, 200, { status: 'ok' });
        return;
      }
      const worker = /^\/v1\/keys\/(acquire|report|status)$/.exec(path);
      if (worker && req.method === 'POST') {
        op = worker[1] as RecordedKeyCall['op'];
        this.#authenticateWorker(req.headers.authorization);
        const body = await readJson(req);
        ref = peekRef(body);
        send(res, 200, this.#worker(op, body));
        return;
      }
      const admin = /^\/v1\/tenants\/([^/]+)(?:\/keys\/([^/]+)|\/(resume))$/.exec(path);
      if (admin) {
        this.#authenticateAdmin(req.headers.authorization);
        await this.#admin(req, res, admin);
        return;
      }
      throw new HttpError(404, 'NOT_FOUND', 'no such route');
    } catch (err) {
      const error =
        err instanceof HttpError
          ? err
          : new HttpError(500, 'INTERNAL', 'internal error in the local key service');
      const headers: Record<string, string> = {};
      const retryAfter = error.details['retryAfterSeconds'];
      if (typeof retryAfter === 'number') headers['retry-after'] = String(Math.ceil(retryAfter));
      send(
        res,
        error.status,
        { error: { code: error.code, message: error.message, ...error.details } },
        headers,
      );
    } finally {
      if (op) {
        this.#calls.push({
          op,
          tenantId: ref.tenantId,
          provider: ref.provider,
          status: res.statusCode,
          ...(ref.outcome ? { outcome: ref.outcome } : {}),
          at: Date.now(),
        });
      }
    }
  }

  #authenticateWorker(authorization: string | undefined): void {
    const match = /^Bearer (\S+)$/.exec(authorization ?? '');
    const claims = match?.[1] ? this.#tokens.verify(match[1]) : undefined;
    if (!claims) throw new HttpError(401, 'UNAUTHENTICATED', 'authentication required');
  }

  #authenticateAdmin(authorization: string | undefined): void {
    const digest = (v: string) => createHash('sha256').update(v).digest('hex');
    if (digest(authorization ?? '') !== digest(`Bearer ${this.adminToken}`))
      throw new HttpError(401, 'UNAUTHENTICATED', 'authentication required');
  }

  #worker(op: RecordedKeyCall['op'], body: Record<string, unknown>): unknown {
    if (op === 'report') {
      const input = parseReport(body);
      return this.#report(input);
    }
    const { tenantId, provider } = parseKeyRef(body);
    if (op === 'status') return this.status(tenantId, provider);
    return this.#acquire(tenantId, provider);
  }

  #acquire(tenantId: string, provider: LlmProvider | undefined): unknown {
    const key = this.#currentKey(tenantId, provider);
    if (!key?.apiKey) throw new HttpError(404, 'KEY_NOT_FOUND', 'no key stored for this tenant and provider');
    const now = Date.now();
    const breaker = this.#breaker(key);
    let probe = false;
    if (
      breaker.reason === 'rate_limited' &&
      ((breaker.state === 'open' && (breaker.reopenAt ?? 0) <= now) ||
        (breaker.state === 'half_open' && (breaker.probeUntil ?? 0) <= now))
    ) {
      breaker.state = 'half_open';
      breaker.probeUntil = now + this.#leaseMs;
      probe = true;
    } else if (breaker.state !== 'closed') {
      const view = this.#view(breaker, now);
      const reason = view.reason ?? 'rate_limited';
      const retryAfterSeconds =
        view.retryAfterSeconds ?? (reason === 'rate_limited' ? this.#leaseMs / 1000 : undefined);
      throw new HttpError(423, 'TENANT_PAUSED', `the tenant's ${key.provider} key breaker is open`, {
        reason,
        provider: key.provider,
        ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
      });
    }
    return { tenantId, provider: key.provider, keyVersion: key.version, apiKey: key.apiKey, probe };
  }

  #report(input: ReportInput): unknown {
    const key = this.#keys.get(`${input.tenantId}\u0000${input.provider}`);
    if (!key?.apiKey || input.keyVersion > key.version)
      throw new HttpError(404, 'KEY_NOT_FOUND', 'no such key version for this tenant and provider');
    const now = Date.now();
    const breaker = this.#breaker(key);
    let tripped = false;
    // A report about a superseded version is recorded but does not move the current version's breaker.
    if (input.keyVersion === key.version) tripped = this.#apply(breaker, input, now);
    if (tripped && breaker.reason) {
      this.#trips.push({
        tenantId: input.tenantId,
        provider: input.provider,
        keyVersion: key.version,
        reason: breaker.reason,
        at: now,
      });
    }
    const view = this.#view(breaker, now);
    return {
      state: view.state,
      tripped,
      consecutiveFailures: breaker.failures,
      ...(view.retryAfterSeconds !== undefined ? { retryAfterSeconds: view.retryAfterSeconds } : {}),
    };
  }

  /** The key service's breaker transition (packages/key-service/src/breaker/breaker-transition.ts). */
  #apply(b: Breaker, input: ReportInput, now: number): boolean {
    const { outcome } = input;
    if (outcome === 'success') {
      if (b.state !== 'open') Object.assign(b, closed());
      return false;
    }
    if (!isKeyFailure(outcome)) {
      if (b.state === 'half_open') Object.assign(b, { state: 'open', reopenAt: now, probeUntil: null });
      return false;
    }
    const failures = b.failures + 1;
    const reopenAt =
      outcome === 'rate_limited'
        ? now + Math.max(this.#cooldownMs, (input.retryAfterSeconds ?? 0) * 1000)
        : null;
    if (b.state === 'closed') {
      if (failures > this.#threshold) {
        Object.assign(b, { state: 'open', reason: outcome, failures, reopenAt, probeUntil: null });
        return true;
      }
      b.failures = failures;
      return false;
    }
    if (b.state === 'half_open') {
      Object.assign(b, { state: 'open', reason: outcome, failures, reopenAt, probeUntil: null });
      return false;
    }
    const current = b.reason ?? outcome;
    b.failures = failures;
    if (current === 'rate_limited' && outcome !== 'rate_limited') {
      Object.assign(b, { reason: outcome, reopenAt: null, probeUntil: null });
    } else if (current === 'rate_limited' && outcome === 'rate_limited' && b.reopenAt !== null) {
      b.reopenAt = Math.max(b.reopenAt, now + (input.retryAfterSeconds ?? 0) * 1000);
    }
    return false;
  }

  /** What a caller sees (the key service's `viewOf`). */
  #view(b: Breaker, now: number): KeyStatusView {
    if (b.state === 'closed') return { state: 'closed', paused: false };
    const reason = b.reason ?? 'auth_failure';
    const secondsUntil = (at: number) => Math.max(1, Math.ceil((at - now) / 1000));
    if (reason !== 'rate_limited') return { state: 'open', paused: true, reason };
    if (b.state === 'open') {
      if (b.reopenAt !== null && b.reopenAt > now)
        return { state: 'open', paused: true, reason, retryAfterSeconds: secondsUntil(b.reopenAt) };
      return { state: 'half_open', paused: false, reason };
    }
    if (b.probeUntil !== null && b.probeUntil > now)
      return { state: 'half_open', paused: true, reason, retryAfterSeconds: secondsUntil(b.probeUntil) };
    return { state: 'half_open', paused: false, reason };
  }

  #breaker(key: StoredKey): Breaker {
    let breaker = key.breakers.get(key.version);
    if (!breaker) {
      breaker = closed();
      key.breakers.set(key.version, breaker);
    }
    return breaker;
  }

  #tenantKeys(tenantId: string): StoredKey[] {
    return PROVIDERS.map((p) => this.#keys.get(`${tenantId}\u0000${p}`)).filter(
      (k): k is StoredKey => k?.apiKey !== undefined,
    );
  }

  /** The tenant's key for `provider`, or without one the most recently stored of the tenant's keys. */
  #currentKey(tenantId: string, provider: LlmProvider | undefined): StoredKey | undefined {
    const keys = this.#tenantKeys(tenantId).filter((k) => provider === undefined || k.provider === provider);
    return keys.sort((a, b) => b.storeSeq - a.storeSeq)[0];
  }

  async #admin(req: IncomingMessage, res: ServerResponse, match: RegExpExecArray): Promise<void> {
    const tenantId = decodeURIComponent(match[1] ?? '');
    assertTenantId(tenantId);
    if (match[3] === 'resume' && req.method === 'POST') {
      const body = req.headers['content-length'] === '0' ? {} : await readJson(req);
      const provider = body['provider'] === undefined ? undefined : parseProvider(body['provider']);
      if (this.#tenantKeys(tenantId).length === 0)
        throw new HttpError(404, 'TENANT_NOT_FOUND', 'no key stored for this tenant');
      send(res, 200, { tenantId, resumed: this.resume(tenantId, provider) });
      return;
    }
    const provider = parseProvider(decodeURIComponent(match[2] ?? ''));
    if (req.method === 'PUT') {
      const body = await readJson(req);
      const apiKey = body['apiKey'];
      if (typeof apiKey !== 'string' || !/^[\x21-\x7e]{8,1024}$/.test(apiKey))
        throw new HttpError(400, 'INVALID_REQUEST', 'apiKey must be 8-1024 printable ASCII characters');
      const keyVersion = this.putKey(tenantId, provider, apiKey);
      send(res, 200, { tenantId, provider, keyVersion, fingerprint: fingerprint(apiKey) });
      return;
    }
    const key = this.#keys.get(`${tenantId}\u0000${provider}`);
    if (!key?.apiKey) throw new HttpError(404, 'KEY_NOT_FOUND', 'no key stored for this tenant and provider');
    if (req.method === 'DELETE') {
      this.deleteKey(tenantId, provider);
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'GET') {
      const breaker = this.#breaker(key);
      send(res, 200, {
        keyVersion: key.version,
        fingerprint: fingerprint(key.apiKey),
        createdAt: new Date(key.storedAt).toISOString(),
        breaker: { ...this.#view(breaker, Date.now()), consecutiveFailures: breaker.failures },
      });
      return;
    }
    throw new HttpError(404, 'NOT_FOUND', 'no such route');
  }
}

interface ReportInput {
  tenantId: string;
  provider: LlmProvider;
  keyVersion: number;
  outcome: KeyOutcome;
  retryAfterSeconds?: number;
}

function fingerprint(apiKey: string): string {
  return `sha256:${createHash('sha256').update(apiKey, 'utf8').digest('hex').slice(0, 16)}`;
}

function assertTenantId(tenantId: unknown): asserts tenantId is string {
  if (typeof tenantId !== 'string' || !TENANT_ID.test(tenantId))
    throw new HttpError(
      400,
      'INVALID_REQUEST',
      "tenantId must be 1-64 letters, digits, '-' or '_', starting with a letter or digit",
    );
}

function parseProvider(value: unknown): LlmProvider {
  if (!PROVIDERS.includes(value as LlmProvider))
    throw new HttpError(400, 'INVALID_REQUEST', `provider must be one of ${PROVIDERS.join(', ')}`);
  return value as LlmProvider;
}

function refuseUnknown(body: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0)
    throw new HttpError(
      400,
      'INVALID_REQUEST',
      `unknown field(s) ${unknown.map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}`,
    );
}

function parseKeyRef(body: Record<string, unknown>): { tenantId: string; provider: LlmProvider | undefined } {
  refuseUnknown(body, ['tenantId', 'provider']);
  if (body['tenantId'] === undefined) throw new HttpError(400, 'INVALID_REQUEST', 'tenantId is required');
  assertTenantId(body['tenantId']);
  return {
    tenantId: body['tenantId'],
    provider: body['provider'] === undefined ? undefined : parseProvider(body['provider']),
  };
}

function parseReport(body: Record<string, unknown>): ReportInput {
  refuseUnknown(body, ['tenantId', 'provider', 'keyVersion', 'outcome', 'retryAfterSeconds']);
  const missing = ['tenantId', 'provider', 'keyVersion', 'outcome'].filter((k) => body[k] === undefined);
  if (missing.length > 0) throw new HttpError(400, 'INVALID_REQUEST', `${missing.join(', ')} is required`);
  assertTenantId(body['tenantId']);
  const keyVersion = body['keyVersion'];
  if (typeof keyVersion !== 'number' || !Number.isInteger(keyVersion) || keyVersion < 1)
    throw new HttpError(400, 'INVALID_REQUEST', 'keyVersion must be a positive integer');
  const outcome = body['outcome'];
  if (!OUTCOMES.includes(outcome as KeyOutcome))
    throw new HttpError(400, 'INVALID_REQUEST', `outcome must be one of ${OUTCOMES.join(', ')}`);
  const retryAfter = body['retryAfterSeconds'];
  if (retryAfter !== undefined && (typeof retryAfter !== 'number' || retryAfter < 0 || retryAfter > 86_400))
    throw new HttpError(400, 'INVALID_REQUEST', 'retryAfterSeconds must be a number of seconds');
  return {
    tenantId: body['tenantId'],
    provider: parseProvider(body['provider']),
    keyVersion,
    outcome: outcome as KeyOutcome,
    ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
  };
}

function peekRef(body: Record<string, unknown>): {
  tenantId?: string;
  provider?: LlmProvider;
  outcome?: KeyOutcome;
} {
  const tenantId = typeof body['tenantId'] === 'string' ? body['tenantId'] : undefined;
  return {
    ...(tenantId ? { tenantId } : {}),
    ...(PROVIDERS.includes(body['provider'] as LlmProvider)
      ? { provider: body['provider'] as LlmProvider }
      : {}),
    ...(OUTCOMES.includes(body['outcome'] as KeyOutcome) ? { outcome: body['outcome'] as KeyOutcome } : {}),
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'content-type must be application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', 'request body is too large');
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
  } catch {
    throw new HttpError(400, 'MALFORMED_JSON', 'request body is not valid JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new HttpError(400, 'INVALID_REQUEST', 'request body must be a JSON object');
  return body as Record<string, unknown>;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
    .end(JSON.stringify(body));
}
