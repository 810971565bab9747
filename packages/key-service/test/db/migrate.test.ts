import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../../../../test/harness/index.js';
import { assertSchemaCurrent, migrate, MigrationError } from '../../src/db/migrate.js';
import { MIGRATIONS } from '../../src/db/migrations/index.js';

function poolFor(url: string): pg.Pool {
  return new pg.Pool({ connectionString: url, max: 2 });
}

describe('migrations', () => {
  it('should apply each migration exactly once when several replicas migrate at the same time', async () => {
    const postgres = await createDatabase('ks_migrate');
    const pools = Array.from({ length: 4 }, () => poolFor(postgres.url));
    try {
      const results = await Promise.all(pools.map((pool) => migrate(pool)));
      expect(results.flatMap((r) => r.applied)).toEqual(MIGRATIONS.map((m) => m.version));
      const { rows } = await pools[0]!.query<{ n: string }>(
        'SELECT count(*) AS n FROM key_service_migrations',
      );
      expect(Number(rows[0]?.n)).toBe(MIGRATIONS.length);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('should refuse to run when an applied migration was edited', async () => {
    const postgres = await createDatabase('ks_migrate_edit');
    const pool = poolFor(postgres.url);
    try {
      await migrate(pool);
      const edited = MIGRATIONS.map((m) => ({ ...m, sql: `${m.sql}\n-- edited` }));
      await expect(migrate(pool, edited)).rejects.toBeInstanceOf(MigrationError);
    } finally {
      await pool.end();
    }
  });

  it('should roll back a failing migration and leave no record of it', async () => {
    const postgres = await createDatabase('ks_migrate_fail');
    const pool = poolFor(postgres.url);
    try {
      await migrate(pool);
      const broken = [
        ...MIGRATIONS,
        { version: 999, name: 'broken', sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();' },
      ];
      await expect(migrate(pool, broken)).rejects.toThrow(/migration 999 \(broken\) failed/);
      const { rows } = await pool.query<{ t: string | null }>("SELECT to_regclass('half_done')::text AS t");
      expect(rows[0]?.t).toBeNull();
    } finally {
      await pool.end();
    }
  });

  it('should make serve refuse an unmigrated database', async () => {
    const postgres = await createDatabase('ks_migrate_empty');
    const pool = poolFor(postgres.url);
    try {
      await expect(assertSchemaCurrent(pool)).rejects.toThrow(/run the migrate command/);
    } finally {
      await pool.end();
    }
  });
});
