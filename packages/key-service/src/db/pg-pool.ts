import pg from 'pg';
import type { PostgresConfig } from '../config/key-service-config.js';

export function createPgPool(config: PostgresConfig): pg.Pool {
  const pool = new pg.Pool({
    host: config.host,
    port: config.port,
    database: config.database,
    user: config.user,
    ...(config.password !== undefined ? { password: config.password } : {}),
    ssl: config.sslmode === 'disable' ? false : { rejectUnauthorized: config.sslmode === 'verify-full' },
    max: config.poolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'apexseo-key-service',
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  return pool;
}
