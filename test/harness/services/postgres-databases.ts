import pg from 'pg';
import { HarnessError } from '../errors.js';
import type { PostgresSettings } from '../settings.js';
import { postgresUrl } from './postgres.js';

const DATABASE_NAME = /^[a-z][a-z0-9_]{0,39}$/;

/**
 * Creates a fresh, empty database on the given server, owned by the settings' role, and returns settings
 * pointing at it. A random suffix keeps repeated runs and parallel test files apart, so each test file can
 * migrate and fill its own database without seeing another's rows.
 */
export async function createDatabaseOn(server: PostgresSettings, name: string): Promise<PostgresSettings> {
  if (!DATABASE_NAME.test(name)) {
    throw new HarnessError(
      'INVALID_ARGUMENT',
      `createDatabase: name must match ${String(DATABASE_NAME)} (lowercase letter first, then a-z, 0-9, _), got ${JSON.stringify(name)}`,
    );
  }
  const database = `${name}_${crypto.randomUUID().slice(0, 8)}`;
  const client = new pg.Client({ ...serverOnly(server), database: 'postgres' });
  await client.connect();
  try {
    // `database` matched the pattern above plus hex digits, so it needs no quoting.
    await client.query(`CREATE DATABASE ${database}`);
  } finally {
    await client.end();
  }
  const base = { ...serverOnly(server), database };
  return { ...base, url: postgresUrl(base) };
}

function serverOnly(settings: PostgresSettings): Omit<PostgresSettings, 'database' | 'url'> {
  return { host: settings.host, port: settings.port, user: settings.user, password: settings.password };
}
