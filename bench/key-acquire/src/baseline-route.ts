import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import {
  WorkerAuthError,
  type WorkerTokenVerifier,
} from '../../../packages/key-service/src/auth/worker-token-verifier.js';
import { ApiError } from '../../../packages/key-service/src/http/api-error.js';
import { keyRefSchema, parseInput } from '../../../packages/key-service/src/http/request-schemas.js';

/**
 * The baseline: the same Fastify instance, body parser, error handler, logger, token verification
 * and zod validation as acquire, then one plain indexed SELECT (primary-key lookup) and a JSON
 * answer. What acquire adds on top is exactly its own work: breaker check, probe lease, audit insert
 * in the same statement, data key unwrap (cached) and AES-256-GCM decryption.
 */
export function registerBaselineRoute(
  app: FastifyInstance,
  pool: pg.Pool,
  verifier: WorkerTokenVerifier,
): void {
  void app.register((scope, _options, done) => {
    scope.addHook('onRequest', async (request) => {
      try {
        await verifier.verify(request.headers.authorization);
      } catch (error) {
        if (error instanceof WorkerAuthError)
          throw new ApiError(401, 'UNAUTHENTICATED', 'authentication required');
        throw error;
      }
    });
    scope.post('/bench/baseline', async (request) => {
      const { tenantId, provider } = parseInput(keyRefSchema, request.body, 'body');
      const { rows } = await pool.query<{ key_version: number; fingerprint: string }>(
        'SELECT key_version, fingerprint FROM tenant_keys WHERE tenant_id = $1 AND provider = $2 AND deleted_at IS NULL',
        [tenantId, provider],
      );
      const row = rows[0];
      if (!row) throw new ApiError(404, 'KEY_NOT_FOUND', 'no key stored for this tenant and provider');
      return { tenantId, provider, keyVersion: row.key_version, fingerprint: row.fingerprint };
    });
    done();
  });
}
