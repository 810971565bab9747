import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Migration } from './migrations/index.js';
import { MIGRATIONS } from './migrations/index.js';

/** Advisory lock id shared by every replica and the Helm hook Job: only one of them migrates at a time. */
const MIGRATION_LOCK_ID = 7_346_901_113;

export class MigrationError extends Error {
  readonly type = 'migration_failed' as const;
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

export interface MigrationResult {
  readonly applied: readonly number[];
  readonly current: number;
}

function checksum(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex');
}

/**
 * Brings the schema up to date. Safe to run from several processes at once: each waits on a
 * session advisory lock, re-reads what is applied, and applies the rest one transaction each.
 */
export async function migrate(
  pool: pg.Pool,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationResult> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS key_service_migrations (
        version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ version: number; checksum: string }>(
        'SELECT version, checksum FROM key_service_migrations ORDER BY version',
      );
      const done = new Map(rows.map((r) => [r.version, r.checksum]));
      const applied: number[] = [];
      for (const migration of migrations) {
        const existing = done.get(migration.version);
        if (existing !== undefined) {
          if (existing !== checksum(migration)) {
            throw new MigrationError(
              `migration ${migration.version} (${migration.name}) changed after it was applied`,
            );
          }
          continue;
        }
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query(
            'INSERT INTO key_service_migrations (version, name, checksum) VALUES ($1, $2, $3)',
            [migration.version, migration.name, checksum(migration)],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new MigrationError(
            `migration ${migration.version} (${migration.name}) failed: ${error instanceof Error ? error.message : 'unknown error'}`,
          );
        }
        applied.push(migration.version);
      }
      return { applied, current: Math.max(0, ...migrations.map((m) => m.version)) };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    client.release();
  }
}

/** The `serve` command refuses to start on a schema older than the code (the hook Job runs first). */
export async function assertSchemaCurrent(
  pool: pg.Pool,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<void> {
  const expected = Math.max(0, ...migrations.map((m) => m.version));
  let current = 0;
  try {
    const { rows } = await pool.query<{ v: number | null }>(
      'SELECT max(version) AS v FROM key_service_migrations',
    );
    current = rows[0]?.v ?? 0;
  } catch {
    current = 0;
  }
  if (current < expected) {
    throw new MigrationError(
      `database schema is at version ${current}, this build needs ${expected}: run the migrate command`,
    );
  }
}
