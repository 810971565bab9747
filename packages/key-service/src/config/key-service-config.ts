import { z } from 'zod';

/**
 * Issuer of the development tokens minted by the SDK's local kit (`@apexseo/worker-sdk/testing`, `apexseo-dev`).
 * No configuration of this service accepts it: it cannot be configured as the issuer, and the verifier refuses any
 * token that names it, whatever key signed it.
 */
export const DEV_TOKEN_ISSUER = 'urn:apexseo:local-development';

/** A configuration problem. The message names the variable, never its value. */
export class KeyServiceConfigError extends Error {
  readonly type = 'invalid_configuration' as const;
  constructor(readonly issues: readonly string[]) {
    super(`invalid key-service configuration: ${issues.join('; ')}`);
    this.name = 'KeyServiceConfigError';
  }
}

export type KekConfig =
  | { readonly provider: 'local'; readonly file: string }
  | {
      readonly provider: 'aws-kms';
      readonly keyIds: ReadonlyMap<number, string>;
      readonly region: string;
      readonly endpoint?: string | undefined;
      readonly minimumDecryptionVersion: number;
    };

export type JwksSource =
  | { readonly url: string; readonly caFile?: string | undefined; readonly tokenFile?: string | undefined }
  | { readonly file: string };

export interface PostgresConfig {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password?: string | undefined;
  readonly sslmode: 'disable' | 'require' | 'verify-full';
  /** Connections per replica. Default 10. */
  readonly poolSize: number;
}

export interface BreakerConfig {
  /** Consecutive key failures tolerated; the next one trips. Default 5 (trips on the 6th). */
  readonly failureThreshold: number;
  /** Minimum open time of a rate-limit trip before one probe is let through. Default 30 s. */
  readonly cooldownSeconds: number;
  /** How long the single half-open probe holds its lease before another caller may probe. Default 30 s. */
  readonly probeLeaseSeconds: number;
}

export interface KeyServiceConfig {
  /** Bind address. Default `0.0.0.0`. */
  readonly host: string;
  /** API port (`0` picks a free one). Default 8080. */
  readonly port: number;
  /** `/metrics` port (`0` picks a free one). Default 9464. */
  readonly metricsPort: number;
  readonly postgres: PostgresConfig;
  readonly kek: KekConfig;
  readonly jwks: JwksSource;
  /** Expected `iss`. Default `https://kubernetes.default.svc`. */
  readonly tokenIssuer: string;
  /** Expected `aud`. Default `apexseo-key-service`. */
  readonly tokenAudience: string;
  /** Exact `system:serviceaccount:<ns>:<name>` subjects allowed on the worker API. */
  readonly allowedSubjects: readonly string[];
  /** Lower-case hex SHA-256 of the admin bearer token. */
  readonly adminTokenSha256: string;
  readonly breaker: BreakerConfig;
  /** Per-caller token bucket, per replica. Defaults 50/s, burst 100. */
  readonly rateLimit: { readonly perSecond: number; readonly burst: number };
  /** Lifetime of unwrapped data keys in memory; 0 disables. Default 60. */
  readonly dataKeyCacheSeconds: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

const subjectPattern = /^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/;

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const nonNegativeInt = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

const postgresEnvSchema = z.object({
  KEY_SERVICE_PG_HOST: z.string().min(1).default('127.0.0.1'),
  KEY_SERVICE_PG_PORT: port(5432),
  KEY_SERVICE_PG_DATABASE: z.string().min(1).default('apexseo'),
  KEY_SERVICE_PG_USER: z.string().min(1).default('apexseo'),
  KEY_SERVICE_PG_PASSWORD: z.string().optional(),
  KEY_SERVICE_PG_SSLMODE: z.enum(['disable', 'require', 'verify-full']).default('disable'),
  KEY_SERVICE_PG_POOL_SIZE: positiveInt(10),
  KEY_SERVICE_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
});

const envSchema = postgresEnvSchema.extend({
  KEY_SERVICE_HOST: z.string().min(1).default('0.0.0.0'),
  KEY_SERVICE_PORT: port(8080),
  KEY_SERVICE_METRICS_PORT: port(9464),
  KEY_SERVICE_KEK_PROVIDER: z.enum(['local', 'aws-kms']).default('local'),
  KEY_SERVICE_KEK_FILE: z.string().min(1).optional(),
  KEY_SERVICE_KEK_MIN_DECRYPTION_VERSION: positiveInt(1),
  KEY_SERVICE_AWS_KMS_KEY_ID: z.string().min(1).optional(),
  KEY_SERVICE_AWS_KMS_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().min(1).optional(),
  KEY_SERVICE_JWKS_URL: z.url().optional(),
  KEY_SERVICE_JWKS_FILE: z.string().min(1).optional(),
  KEY_SERVICE_JWKS_CA_FILE: z.string().min(1).optional(),
  KEY_SERVICE_JWKS_TOKEN_FILE: z.string().min(1).optional(),
  KEY_SERVICE_TOKEN_ISSUER: z
    .string()
    .min(1)
    .refine((issuer) => issuer !== DEV_TOKEN_ISSUER, 'must not be the local development issuer')
    .default('https://kubernetes.default.svc'),
  KEY_SERVICE_TOKEN_AUDIENCE: z.string().min(1).default('apexseo-key-service'),
  KEY_SERVICE_ALLOWED_SUBJECTS: z.string().min(1),
  KEY_SERVICE_ADMIN_TOKEN_SHA256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (the SHA-256 of the admin token)'),
  KEY_SERVICE_BREAKER_THRESHOLD: positiveInt(5),
  KEY_SERVICE_BREAKER_COOLDOWN_SECONDS: nonNegativeInt(30),
  KEY_SERVICE_PROBE_LEASE_SECONDS: positiveInt(30),
  KEY_SERVICE_RATE_LIMIT_PER_SECOND: positiveInt(50),
  KEY_SERVICE_RATE_LIMIT_BURST: positiveInt(100),
  KEY_SERVICE_DATA_KEY_CACHE_SECONDS: nonNegativeInt(60),
});

/** Parses `KEY_SERVICE_AWS_KMS_KEY_ID`: one key id (version 1) or `1=<id>,2=<id>` for a rotated ring. */
export function parseKmsKeyIds(value: string): Map<number, string> {
  const entries = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const first = entries[0];
  if (entries.length === 1 && first !== undefined && !/^\d+=/.test(first)) return new Map([[1, first]]);
  const ids = new Map<number, string>();
  for (const entry of entries) {
    const match = /^(\d+)=(.+)$/.exec(entry);
    if (!match?.[1] || !match[2]) throw new RangeError('KMS key ids must look like 1=<key id>,2=<key id>');
    ids.set(Number(match[1]), match[2]);
  }
  return ids;
}

/**
 * Reads the service configuration from environment variables (see docs/architecture.md). Errors name
 * the variable and the rule, never the value, since some values are credentials.
 */
function parseEnv<T>(schema: z.ZodType<T>, env: Readonly<Record<string, string | undefined>>): T {
  // Empty strings mean "unset", as Helm renders optional values that way.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new KeyServiceConfigError(
      parsed.error.issues.map((i) => {
        const name = i.path.join('.');
        return i.code === 'invalid_type' && cleaned[name] === undefined
          ? `${name}: required`
          : `${name}: ${i.message}`;
      }),
    );
  }
  return parsed.data;
}

function postgresFrom(e: z.infer<typeof postgresEnvSchema>): PostgresConfig {
  return {
    host: e.KEY_SERVICE_PG_HOST,
    port: e.KEY_SERVICE_PG_PORT,
    database: e.KEY_SERVICE_PG_DATABASE,
    user: e.KEY_SERVICE_PG_USER,
    password: e.KEY_SERVICE_PG_PASSWORD,
    sslmode: e.KEY_SERVICE_PG_SSLMODE,
    poolSize: e.KEY_SERVICE_PG_POOL_SIZE,
  };
}

/** Only what the `migrate` sub-command needs (the Helm hook Job gets nothing else). */
export function loadPostgresConfig(env: Readonly<Record<string, string | undefined>>): {
  readonly postgres: PostgresConfig;
  readonly logLevel: KeyServiceConfig['logLevel'];
} {
  const e = parseEnv(postgresEnvSchema, env);
  return { postgres: postgresFrom(e), logLevel: e.KEY_SERVICE_LOG_LEVEL };
}

export function loadKeyServiceConfig(env: Readonly<Record<string, string | undefined>>): KeyServiceConfig {
  const e = parseEnv(envSchema, env);
  const issues: string[] = [];

  const allowedSubjects = e.KEY_SERVICE_ALLOWED_SUBJECTS.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const subject of allowedSubjects) {
    if (!subjectPattern.test(subject)) {
      issues.push(
        `KEY_SERVICE_ALLOWED_SUBJECTS: entries must look like system:serviceaccount:<namespace>:<name>`,
      );
      break;
    }
  }

  let jwks: JwksSource | undefined;
  if (e.KEY_SERVICE_JWKS_URL && e.KEY_SERVICE_JWKS_FILE) {
    issues.push('KEY_SERVICE_JWKS_URL and KEY_SERVICE_JWKS_FILE: set only one');
  } else if (e.KEY_SERVICE_JWKS_URL) {
    jwks = {
      url: e.KEY_SERVICE_JWKS_URL,
      caFile: e.KEY_SERVICE_JWKS_CA_FILE,
      tokenFile: e.KEY_SERVICE_JWKS_TOKEN_FILE,
    };
  } else if (e.KEY_SERVICE_JWKS_FILE) jwks = { file: e.KEY_SERVICE_JWKS_FILE };
  else issues.push('KEY_SERVICE_JWKS_URL or KEY_SERVICE_JWKS_FILE: one is required');

  let kek: KekConfig | undefined;
  if (e.KEY_SERVICE_KEK_PROVIDER === 'local') {
    if (e.KEY_SERVICE_KEK_FILE) kek = { provider: 'local', file: e.KEY_SERVICE_KEK_FILE };
    else issues.push('KEY_SERVICE_KEK_FILE: required when KEY_SERVICE_KEK_PROVIDER=local');
  } else {
    if (!e.KEY_SERVICE_AWS_KMS_KEY_ID)
      issues.push('KEY_SERVICE_AWS_KMS_KEY_ID: required when KEY_SERVICE_KEK_PROVIDER=aws-kms');
    if (!e.AWS_REGION) issues.push('AWS_REGION: required when KEY_SERVICE_KEK_PROVIDER=aws-kms');
    if (e.KEY_SERVICE_AWS_KMS_KEY_ID && e.AWS_REGION) {
      try {
        kek = {
          provider: 'aws-kms',
          keyIds: parseKmsKeyIds(e.KEY_SERVICE_AWS_KMS_KEY_ID),
          region: e.AWS_REGION,
          endpoint: e.KEY_SERVICE_AWS_KMS_ENDPOINT,
          minimumDecryptionVersion: e.KEY_SERVICE_KEK_MIN_DECRYPTION_VERSION,
        };
      } catch {
        issues.push('KEY_SERVICE_AWS_KMS_KEY_ID: must be one key id or 1=<key id>,2=<key id>');
      }
    }
  }

  if (issues.length > 0 || !jwks || !kek) throw new KeyServiceConfigError(issues);

  return {
    host: e.KEY_SERVICE_HOST,
    port: e.KEY_SERVICE_PORT,
    metricsPort: e.KEY_SERVICE_METRICS_PORT,
    postgres: postgresFrom(e),
    kek,
    jwks,
    tokenIssuer: e.KEY_SERVICE_TOKEN_ISSUER,
    tokenAudience: e.KEY_SERVICE_TOKEN_AUDIENCE,
    allowedSubjects,
    adminTokenSha256: e.KEY_SERVICE_ADMIN_TOKEN_SHA256.toLowerCase(),
    breaker: {
      failureThreshold: e.KEY_SERVICE_BREAKER_THRESHOLD,
      cooldownSeconds: e.KEY_SERVICE_BREAKER_COOLDOWN_SECONDS,
      probeLeaseSeconds: e.KEY_SERVICE_PROBE_LEASE_SECONDS,
    },
    rateLimit: { perSecond: e.KEY_SERVICE_RATE_LIMIT_PER_SECOND, burst: e.KEY_SERVICE_RATE_LIMIT_BURST },
    dataKeyCacheSeconds: e.KEY_SERVICE_DATA_KEY_CACHE_SECONDS,
    logLevel: e.KEY_SERVICE_LOG_LEVEL,
  };
}
