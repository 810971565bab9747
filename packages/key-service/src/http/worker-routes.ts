import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WorkerTokenVerifier } from '../auth/worker-token-verifier.js';
import { WorkerAuthError } from '../auth/worker-token-verifier.js';
import type { BreakerStore } from '../breaker/breaker-store.js';
import type { KeyStore } from '../keys/key-store.js';
import type { AcquireMetricOutcome, KeyServiceMetrics } from '../metrics/key-service-metrics.js';
import { ApiError } from './api-error.js';
import type { CallerRateLimiter } from './caller-rate-limiter.js';
import { keyRefSchema, parseInput, reportSchema, statusRefSchema } from './request-schemas.js';

export interface WorkerRouteDeps {
  readonly verifier: WorkerTokenVerifier;
  readonly keys: KeyStore;
  readonly breakers: BreakerStore;
  readonly limiter: CallerRateLimiter;
  readonly metrics: KeyServiceMetrics;
}

const callers = new WeakMap<FastifyRequest, string>();
const acquireOutcomes = new WeakMap<FastifyRequest, AcquireMetricOutcome>();

function callerOf(request: FastifyRequest): { actor: string; requestId: string } {
  return { actor: callers.get(request) ?? 'unknown', requestId: request.id };
}

/** The worker API: acquire, report and status, behind projected ServiceAccount token auth. */
export function registerWorkerRoutes(app: FastifyInstance, deps: WorkerRouteDeps): void {
  void app.register((scope, _options, done) => {
    // Authentication runs before the body is read, so an unauthenticated caller learns nothing
    // about what a valid body would be.
    scope.addHook('onRequest', async (request) => {
      try {
        const identity = await deps.verifier.verify(request.headers.authorization);
        callers.set(request, identity.caller);
      } catch (error) {
        if (error instanceof WorkerAuthError) {
          deps.metrics.authFailures.inc({ kind: error.type });
          request.log.warn({ authFailure: error.type, reason: error.internalReason }, 'worker call refused');
          if (error.type === 'key_set_unavailable') {
            acquireOutcomes.set(request, 'error');
            throw new ApiError(503, 'AUTH_UNAVAILABLE', error.message, { retryAfterSeconds: 5 });
          }
          acquireOutcomes.set(request, error.type);
          throw error.type === 'unauthenticated'
            ? new ApiError(401, 'UNAUTHENTICATED', error.message)
            : new ApiError(403, 'FORBIDDEN', error.message);
        }
        throw error;
      }
      const wait = deps.limiter.take(callers.get(request) ?? '');
      if (wait > 0) {
        acquireOutcomes.set(request, 'rate_limited');
        throw new ApiError(429, 'RATE_LIMITED', 'too many requests from this caller', {
          retryAfterSeconds: wait,
        });
      }
    });

    scope.addHook('onResponse', async (request, reply) => {
      if (request.routeOptions.url !== '/v1/keys/acquire') return;
      const outcome =
        acquireOutcomes.get(request) ??
        (reply.statusCode === 400 || reply.statusCode === 413 || reply.statusCode === 415
          ? 'invalid'
          : 'error');
      deps.metrics.acquireDuration.observe({ outcome }, reply.elapsedTime / 1000);
    });

    scope.post('/v1/keys/acquire', async (request, reply) => {
      const { tenantId, provider } = parseInput(keyRefSchema, request.body, 'body');
      const result = await deps.keys.acquire(tenantId, provider, callerOf(request));
      if (result.kind === 'not_found') {
        acquireOutcomes.set(request, 'not_found');
        throw new ApiError(404, 'KEY_NOT_FOUND', 'no key stored for this tenant and provider');
      }
      if (result.kind === 'paused') {
        acquireOutcomes.set(request, 'paused');
        throw new ApiError(423, 'TENANT_PAUSED', `the tenant's ${provider} key breaker is open`, {
          reason: result.reason,
          provider,
          ...(result.retryAfterSeconds !== undefined ? { retryAfterSeconds: result.retryAfterSeconds } : {}),
        });
      }
      acquireOutcomes.set(request, result.probe ? 'probe' : 'granted');
      return reply.send({
        tenantId,
        provider,
        keyVersion: result.keyVersion,
        apiKey: result.apiKey.reveal(),
        probe: result.probe,
      });
    });

    scope.post('/v1/keys/report', async (request) => {
      const body = parseInput(reportSchema, request.body, 'body');
      const answer = await deps.breakers.report(
        body.tenantId,
        body.provider,
        body.keyVersion,
        body.outcome,
        body.retryAfterSeconds,
        callerOf(request),
      );
      if (answer.kind === 'unknown_version') {
        throw new ApiError(404, 'KEY_NOT_FOUND', 'no such key version for this tenant and provider');
      }
      deps.metrics.reports.inc({ provider: body.provider, outcome: body.outcome });
      const { tripReason, ...result } = answer.result;
      if (answer.result.tripped && tripReason) {
        deps.metrics.breakerTrips.inc({ provider: body.provider, reason: tripReason });
        request.log.warn({ provider: body.provider, reason: tripReason }, 'key breaker tripped');
      }
      return result;
    });

    scope.post('/v1/keys/status', async (request) => {
      const { tenantId, provider } = parseInput(statusRefSchema, request.body, 'body');
      return deps.breakers.status(tenantId, provider);
    });
    done();
  });
}
