/**
 * The ApexSEO key service: tenant LLM keys encrypted in Postgres, served to workers at runtime, and
 * the fleet-wide key breaker.
 *
 * @example
 * ```ts
 * import { createKeyService, loadKeyServiceConfig, migrate, createPgPool } from '@apexseo/key-service';
 * const config = loadKeyServiceConfig(process.env);
 * const pool = createPgPool(config.postgres);
 * await migrate(pool);
 * await pool.end();
 * const service = await createKeyService(config);
 * const { apiUrl, metricsUrl } = await service.start();
 * // ... later
 * await service.stop();
 * ```
 */
export { createKeyService } from './service/key-service.js';
export type { CreateKeyServiceOptions, KeyService } from './service/key-service.js';
export {
  loadKeyServiceConfig,
  loadPostgresConfig,
  KeyServiceConfigError,
  parseKmsKeyIds,
} from './config/key-service-config.js';
export type {
  BreakerConfig,
  JwksSource,
  KekConfig,
  KeyServiceConfig,
  PostgresConfig,
} from './config/key-service-config.js';
export { PROVIDERS } from './domain/provider.js';
export type { Provider } from './domain/provider.js';
export type { Caller } from './domain/caller.js';
export { migrate, assertSchemaCurrent, MigrationError } from './db/migrate.js';
export type { MigrationResult } from './db/migrate.js';
export { MIGRATIONS } from './db/migrations/index.js';
export type { Migration } from './db/migrations/index.js';
export { createPgPool } from './db/pg-pool.js';
export { rewrapDataKeys } from './keys/rewrap-job.js';
export type { RewrapResult } from './keys/rewrap-job.js';
export {
  LocalKeyRing,
  LocalKeyRingFileError,
  generateLocalKeyRing,
  localKeyRingSchema,
} from './kek/local-key-ring.js';
export type { LocalKeyRingFile } from './kek/local-key-ring.js';
export { AwsKmsKek } from './kek/aws-kms-kek.js';
export type { AwsKmsKekOptions } from './kek/aws-kms-kek.js';
export { createKekProvider } from './kek/create-kek-provider.js';
export type { KekProvider, KeyContext, GeneratedDataKey, RewrappedDataKey } from './kek/kek-provider.js';
export { DataKeyCache } from './kek/data-key-cache.js';
export { EnvelopeCipher } from './keys/envelope-cipher.js';
export type { StoredEnvelope } from './keys/envelope-cipher.js';
export { SecretString } from './crypto/secret-string.js';
export {
  DecryptionRefusedError,
  KekUnavailableError,
  KekVersionRetiredError,
  KekVersionUnknownError,
} from './crypto/crypto-errors.js';
export { OUTCOMES, TRIP_REASONS, applyReport, isKeyFailure, viewOf } from './breaker/breaker-transition.js';
export type {
  BreakerRow,
  BreakerStateName,
  BreakerView,
  Outcome,
  TripReason,
} from './breaker/breaker-transition.js';
export { ApiError } from './http/api-error.js';
export { BODY_LIMIT_BYTES } from './http/api-server.js';
export { keyFingerprint } from './keys/fingerprint.js';
