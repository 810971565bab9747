import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { JWTVerifyGetKey } from 'jose';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { Agent, fetch as undiciFetch } from 'undici';
import { z } from 'zod';
import { DEV_TOKEN_ISSUER, type JwksSource } from '../config/key-service-config.js';

/**
 * `key_set_unavailable`: the cluster's key set could not be fetched or read, so no token can be checked. That is
 * the service's problem, not the caller's: it answers 503 (retry) rather than 401.
 */
export type WorkerAuthFailure = 'unauthenticated' | 'forbidden' | 'key_set_unavailable';

const publicMessages: Record<WorkerAuthFailure, string> = {
  unauthenticated: 'authentication required',
  forbidden: 'not allowed',
  key_set_unavailable: 'cannot verify tokens right now',
};

export class WorkerAuthError extends Error {
  readonly type: WorkerAuthFailure;
  constructor(
    type: WorkerAuthFailure,
    readonly internalReason: string,
  ) {
    // The message is what callers see: deliberately generic. The reason goes to logs only.
    super(publicMessages[type]);
    this.type = type;
    this.name = 'WorkerAuthError';
  }
}

/**
 * jose's codes for a key set that could not be obtained: fetch timeout, a non-200 answer (generic code), or a body
 * that is not a key set. Everything else it reports is about the token itself.
 */
const KEY_SET_FAILURES: ReadonlySet<string> = new Set([
  'ERR_JWKS_TIMEOUT',
  'ERR_JOSE_GENERIC',
  'ERR_JWKS_INVALID',
]);

function classify(error: unknown): WorkerAuthError {
  if (error instanceof WorkerAuthError) return error;
  if (error instanceof joseErrors.JOSEError)
    return KEY_SET_FAILURES.has(error.code)
      ? new WorkerAuthError('key_set_unavailable', error.code)
      : new WorkerAuthError('unauthenticated', error.code);
  // Not jose's: the key set fetch itself failed (connection, TLS) or the key set file could not be read.
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'key set lookup failed';
  return new WorkerAuthError('key_set_unavailable', reason);
}

export interface WorkerIdentity {
  /** `system:serviceaccount:<ns>:<name>` */
  readonly subject: string;
  /** Subject plus pod name when the token carries one: the rate-limit and audit identity. */
  readonly caller: string;
}

const jwksSchema = z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) });

/** Kubernetes projected tokens carry the pod in a private claim; only the name is used. */
const kubernetesClaim = z
  .object({ pod: z.object({ name: z.string().max(253) }).optional() })
  .optional()
  .catch(undefined);

export interface WorkerTokenVerifierOptions {
  readonly jwks: JwksSource;
  readonly issuer: string;
  readonly audience: string;
  readonly allowedSubjects: readonly string[];
  /** How often a JWKS file is checked for changes (the cluster rotates its signing keys). Default 30 s. */
  readonly fileRefreshMs?: number;
  /** CA bundle to trust for a JWKS URL (in cluster: the ServiceAccount `ca.crt`). */
  readonly jwksCaFile?: string | undefined;
  /** Bearer token file sent with JWKS URL requests (the API server serves its key set to authenticated callers). */
  readonly jwksTokenFile?: string | undefined;
}

/**
 * Verifies a worker's projected ServiceAccount token offline against the cluster's key set:
 * signature (RS256/ES256 only), issuer, the dedicated audience, expiry and not-before, then the
 * subject against the allowlist. A bad token is 401, a good token from another account is 403, and a key set
 * that cannot be obtained (server down, TLS or its own credentials wrong, file unreadable) is 503.
 */
export class WorkerTokenVerifier {
  readonly #options: WorkerTokenVerifierOptions;
  readonly #allowed: ReadonlySet<string>;
  #keySet: JWTVerifyGetKey | undefined;
  #fileMtimeMs = -1;
  #fileCheckedAt = 0;

  constructor(options: WorkerTokenVerifierOptions) {
    this.#options = options;
    this.#allowed = new Set(options.allowedSubjects);
    if ('url' in options.jwks) {
      const dispatcher = options.jwksCaFile
        ? new Agent({ connect: { ca: readFileSync(options.jwksCaFile) } })
        : undefined;
      const tokenFile = options.jwksTokenFile;
      this.#keySet = createRemoteJWKSet(new URL(options.jwks.url), {
        cooldownDuration: 30_000,
        cacheMaxAge: 600_000,
        [customFetch]: async (url, init) => {
          // The token file is re-read on each fetch: the kubelet rotates projected tokens.
          if (tokenFile)
            init.headers.set('authorization', `Bearer ${(await readFile(tokenFile, 'utf8')).trim()}`);
          const requestInit = {
            ...init,
            headers: Object.fromEntries(init.headers),
            ...(dispatcher ? { dispatcher } : {}),
          };
          const response = await undiciFetch(url, requestInit);
          return response as unknown as Response;
        },
      });
    }
  }

  async verify(authorization: string | undefined): Promise<WorkerIdentity> {
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(authorization ?? '');
    if (!match?.[1]) throw new WorkerAuthError('unauthenticated', 'missing or malformed bearer token');
    if (isDevelopmentToken(match[1]))
      throw new WorkerAuthError(
        'unauthenticated',
        'local development token (never accepted by this service)',
      );
    let payload;
    try {
      ({ payload } = await jwtVerify(match[1], await this.#currentKeySet(), {
        issuer: this.#options.issuer,
        audience: this.#options.audience,
        algorithms: ['RS256', 'ES256'],
        requiredClaims: ['exp', 'sub'],
        clockTolerance: 5,
      }));
    } catch (error) {
      throw classify(error);
    }
    const subject = payload.sub ?? '';
    if (!this.#allowed.has(subject)) throw new WorkerAuthError('forbidden', 'subject not on the allowlist');
    const pod = kubernetesClaim.parse(payload['kubernetes.io'])?.pod?.name;
    return { subject, caller: pod ? `${subject}/${pod}` : subject };
  }

  async #currentKeySet(): Promise<JWTVerifyGetKey> {
    const source = this.#options.jwks;
    if (!('file' in source)) return this.#keySet as JWTVerifyGetKey;
    const now = Date.now();
    if (this.#keySet && now - this.#fileCheckedAt < (this.#options.fileRefreshMs ?? 30_000))
      return this.#keySet;
    this.#fileCheckedAt = now;
    const info = await stat(source.file);
    if (!this.#keySet || info.mtimeMs !== this.#fileMtimeMs) {
      const parsed = jwksSchema.parse(JSON.parse(await readFile(source.file, 'utf8')));
      this.#keySet = createLocalJWKSet(parsed);
      this.#fileMtimeMs = info.mtimeMs;
    }
    return this.#keySet;
  }
}

/** A token minted by the SDK's local development kit: refused before any key set is consulted. */
function isDevelopmentToken(token: string): boolean {
  try {
    return decodeJwt(token).iss === DEV_TOKEN_ISSUER;
  } catch {
    return false;
  }
}
