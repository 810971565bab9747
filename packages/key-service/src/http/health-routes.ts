import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { KekProvider } from '../kek/kek-provider.js';

/** Liveness says the process serves HTTP; readiness also needs Postgres and a working KEK. */
export function registerHealthRoutes(app: FastifyInstance, pool: pg.Pool, kek: KekProvider): void {
  app.get('/healthz', (_request, reply) => reply.send({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    const [postgres, kekOk] = await Promise.all([
      pool.query('SELECT 1').then(
        () => true,
        () => false,
      ),
      kek.healthCheck().then(
        () => true,
        (error: unknown) => {
          request.log.warn(
            { errName: error instanceof Error ? error.name : 'unknown' },
            'KEK health check failed',
          );
          return false;
        },
      ),
    ]);
    const ready = postgres && kekOk;
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not_ready', checks: { postgres, kek: kekOk } });
  });
}
