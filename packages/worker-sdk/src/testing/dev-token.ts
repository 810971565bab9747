/**
 * Development tokens: what a worker sends to the local key service instead of a Kubernetes projected ServiceAccount
 * token. They have the same form (an ES256 JWT with `sub`, `aud`, `exp`), so the worker's token-file handling is the
 * production code path, but they are signed by a key pair that exists only in the local kit's process and carry the
 * issuer {@link DEV_TOKEN_ISSUER}, which the production key service refuses outright: its configuration cannot name
 * that issuer, and its verifier rejects any token that carries it, whatever key signed it.
 */
import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/** Issuer of every development token. The key service refuses tokens with this issuer (401) in every configuration. */
export const DEV_TOKEN_ISSUER = 'urn:apexseo:local-development';
/** The key service's token audience. */
export const KEY_SERVICE_AUDIENCE = 'apexseo-key-service';
/** Subject of development tokens: a worker ServiceAccount as the chart names it. */
export const DEV_TOKEN_SUBJECT = 'system:serviceaccount:apexseo:eeat-worker';

export interface DevTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string;
  readonly exp: number;
  readonly iat: number;
}

const b64 = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** Mints and verifies development tokens with a key pair generated in memory (never written anywhere). */
export class DevTokenIssuer {
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;

  constructor() {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.#privateKey = privateKey;
    this.#publicKey = createPublicKey(privateKey);
  }

  /** A token for {@link DEV_TOKEN_SUBJECT}, valid for `ttlSeconds` (default 24 h). */
  mint(options: { subject?: string; ttlSeconds?: number } = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const claims: DevTokenClaims = {
      iss: DEV_TOKEN_ISSUER,
      sub: options.subject ?? DEV_TOKEN_SUBJECT,
      aud: KEY_SERVICE_AUDIENCE,
      iat: now,
      exp: now + (options.ttlSeconds ?? 86_400),
    };
    const signingInput = `${b64(JSON.stringify({ alg: 'ES256', typ: 'JWT' }))}.${b64(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput), {
      key: this.#privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return `${signingInput}.${b64(signature)}`;
  }

  /** The claims of a token this issuer signed and that has not expired; undefined otherwise. */
  verify(token: string): DevTokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [header, payload, signature] = parts as [string, string, string];
    const valid = verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      { key: this.#publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
    if (!valid) return undefined;
    let claims: Partial<DevTokenClaims>;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<DevTokenClaims>;
    } catch {
      return undefined;
    }
    const now = Math.floor(Date.now() / 1000);
    if (claims.iss !== DEV_TOKEN_ISSUER || claims.aud !== KEY_SERVICE_AUDIENCE) return undefined;
    if (typeof claims.exp !== 'number' || claims.exp + 5 < now || typeof claims.sub !== 'string')
      return undefined;
    return claims as DevTokenClaims;
  }
}
