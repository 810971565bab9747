import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AdminTokenChecker } from '../auth/admin-token.js';
import type { BreakerStore } from '../breaker/breaker-store.js';
import type { KeyStore } from '../keys/key-store.js';
import type { KeyServiceMetrics } from '../metrics/key-service-metrics.js';
import { ApiError } from './api-error.js';
import type { CallerRateLimiter } from './caller-rate-limiter.js';
import {
  keyPathSchema,
  parseInput,
  resumeSchema,
  storeKeySchema,
  tenantPathSchema,
} from './request-schemas.js';

export interface AdminRouteDeps {
  readonly admin: AdminTokenChecker;
  readonly keys: KeyStore;
  readonly breakers: BreakerStore;
  readonly limiter: CallerRateLimiter;
  readonly metrics: KeyServiceMetrics;
}

const ADMIN_ACTOR = 'admin';

function caller(request: FastifyRequest): { actor: string; requestId: string } {
  return { actor: ADMIN_ACTOR, requestId: request.id };
}

/** The app backend's API: store, read, delete a tenant's key and resume a paused tenant. */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminRouteDeps): void {
  void app.register((scope, _options, done) => {
    scope.addHook('onRequest', (request, _reply, next) => {
      if (!deps.admin.matches(request.headers.authorization)) {
        deps.metrics.authFailures.inc({ kind: 'unauthenticated' });
        request.log.warn({ authFailure: 'unauthenticated' }, 'admin call refused');
        next(new ApiError(401, 'UNAUTHENTICATED', 'authentication required'));
        return;
      }
      const wait = deps.limiter.take(ADMIN_ACTOR);
      next(
        wait > 0
          ? new ApiError(429, 'RATE_LIMITED', 'too many requests from this caller', {
              retryAfterSeconds: wait,
            })
          : undefined,
      );
    });

    scope.put('/v1/tenants/:tenantId/keys/:provider', async (request) => {
      const { tenantId, provider } = parseInput(keyPathSchema, request.params, 'path');
      const { apiKey } = parseInput(storeKeySchema, request.body, 'body');
      return deps.keys.store(tenantId, provider, apiKey, caller(request));
    });

    scope.get('/v1/tenants/:tenantId/keys/:provider', async (request) => {
      const { tenantId, provider } = parseInput(keyPathSchema, request.params, 'path');
      const metadata = await deps.keys.metadata(tenantId, provider, caller(request));
      if (!metadata) throw new ApiError(404, 'KEY_NOT_FOUND', 'no key stored for this tenant and provider');
      return metadata;
    });

    scope.delete('/v1/tenants/:tenantId/keys/:provider', async (request, reply) => {
      const { tenantId, provider } = parseInput(keyPathSchema, request.params, 'path');
      const deleted = await deps.keys.delete(tenantId, provider, caller(request));
      if (!deleted) throw new ApiError(404, 'KEY_NOT_FOUND', 'no key stored for this tenant and provider');
      return reply.code(204).send();
    });

    scope.post('/v1/tenants/:tenantId/resume', async (request) => {
      const { tenantId } = parseInput(tenantPathSchema, request.params, 'path');
      const { provider } = parseInput(resumeSchema, request.body ?? {}, 'body');
      const result = await deps.breakers.resume(tenantId, provider, caller(request));
      if (!result.found) throw new ApiError(404, 'TENANT_NOT_FOUND', 'no key stored for this tenant');
      return { tenantId, resumed: result.resumed };
    });
    done();
  });
}
