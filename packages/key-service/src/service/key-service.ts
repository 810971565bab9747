import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { DestinationStream, Logger } from 'pino';
import { AdminTokenChecker } from '../auth/admin-token.js';
import { WorkerTokenVerifier } from '../auth/worker-token-verifier.js';
import { BreakerStore } from '../breaker/breaker-store.js';
import type { KeyServiceConfig } from '../config/key-service-config.js';
import { EnvelopeCipher } from '../keys/envelope-cipher.js';
import { assertSchemaCurrent } from '../db/migrate.js';
import { createPgPool } from '../db/pg-pool.js';
import { createKekProvider } from '../kek/create-kek-provider.js';
import { DataKeyCache } from '../kek/data-key-cache.js';
import type { KekProvider } from '../kek/kek-provider.js';
import { KeyStore } from '../keys/key-store.js';
import { registerAdminRoutes } from '../http/admin-routes.js';
import { createApiServer } from '../http/api-server.js';
import { CallerRateLimiter } from '../http/caller-rate-limiter.js';
import { registerHealthRoutes } from '../http/health-routes.js';
import { registerWorkerRoutes } from '../http/worker-routes.js';
import { createLogger } from '../logging/logger.js';
import { KeyServiceMetrics } from '../metrics/key-service-metrics.js';
import { startMetricsServer } from '../metrics/metrics-server.js';

export interface CreateKeyServiceOptions {
  /** Where logs go (tests capture them). Default stdout. */
  readonly logStream?: DestinationStream;
  /** A ready KEK provider instead of one built from `config.kek` (tests pass emulator credentials). */
  readonly kek?: KekProvider;
  /** Skip the schema version check (only for callers that just ran `migrate`). Default false. */
  readonly skipSchemaCheck?: boolean;
}

export interface KeyService {
  /** The API server; routes may be added before `start()` (the benchmark adds its baseline route). */
  readonly api: FastifyInstance;
  readonly pool: pg.Pool;
  readonly kek: KekProvider;
  readonly metrics: KeyServiceMetrics;
  readonly logger: Logger;
  start(): Promise<{ apiUrl: string; metricsUrl: string }>;
  stop(): Promise<void>;
}

/** Wires the key service from its configuration. Nothing listens until `start()`. */
export async function createKeyService(
  config: KeyServiceConfig,
  options: CreateKeyServiceOptions = {},
): Promise<KeyService> {
  const logger = createLogger(config.logLevel, options.logStream);
  const kek = options.kek ?? (await createKekProvider(config.kek));
  const pool = createPgPool(config.postgres);
  const dataKeys = new DataKeyCache(kek, { ttlMs: config.dataKeyCacheSeconds * 1000 });
  const cipher = new EnvelopeCipher(kek, dataKeys);
  const keys = new KeyStore(pool, cipher, config.breaker.probeLeaseSeconds);
  const breakers = new BreakerStore(pool, config.breaker);
  const metrics = new KeyServiceMetrics(() => breakers.openCounts());
  const limiter = new CallerRateLimiter(config.rateLimit.perSecond, config.rateLimit.burst);
  const verifier = new WorkerTokenVerifier({
    jwks: config.jwks,
    issuer: config.tokenIssuer,
    audience: config.tokenAudience,
    allowedSubjects: config.allowedSubjects,
    ...('url' in config.jwks ? { jwksCaFile: config.jwks.caFile, jwksTokenFile: config.jwks.tokenFile } : {}),
  });
  const admin = new AdminTokenChecker(config.adminTokenSha256);

  const api = createApiServer(logger);
  registerHealthRoutes(api, pool, kek);
  registerWorkerRoutes(api, { verifier, keys, breakers, limiter, metrics });
  registerAdminRoutes(api, { admin, keys, breakers, limiter, metrics });

  let metricsServer: Server | undefined;

  return {
    api,
    pool,
    kek,
    metrics,
    logger,
    async start() {
      if (!options.skipSchemaCheck) await assertSchemaCurrent(pool);
      await api.listen({ host: config.host, port: config.port });
      const apiPort = (api.server.address() as AddressInfo).port;
      const started = await startMetricsServer(metrics.registry, config.host, config.metricsPort);
      metricsServer = started.server;
      const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
      const urls = { apiUrl: `http://${host}:${apiPort}`, metricsUrl: `http://${host}:${started.port}` };
      logger.info({ event: 'listening', ...urls }, 'key-service listening');
      return urls;
    },
    async stop() {
      await api.close();
      if (metricsServer) {
        const server = metricsServer;
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      limiter.close();
      dataKeys.clear();
      await pool.end();
      if ('close' in kek && typeof kek.close === 'function') (kek.close as () => void)();
    },
  };
}
