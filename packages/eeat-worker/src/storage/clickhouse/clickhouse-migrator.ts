/**
 * Applies CLICKHOUSE_MIGRATIONS in order and records each in `<db>.schema_migrations`. Every statement is
 * idempotent (IF NOT EXISTS / MODIFY), so two processes migrating at once, or a crash between a statement and
 * its record, only repeat harmless work.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { capabilitiesOf, type ClickHouseCapabilities } from './clickhouse-capabilities.js';
import { CLICKHOUSE_MIGRATIONS, type ClickHouseMigration } from './clickhouse-migrations.js';
import { sqlIdentifier } from './clickhouse-sql.js';
import { MigrationError } from '../storage-errors.js';

export interface MigrationReport {
  readonly serverVersion: string;
  readonly applied: string[];
  readonly alreadyApplied: string[];
  /** Migrations this server cannot run yet (e.g. TTL on 18.x): applied by a later `migrate` after an upgrade. */
  readonly waitingForServer: string[];
}

export async function detectCapabilities(client: ClickHouseClient): Promise<ClickHouseCapabilities> {
  const result = await client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' });
  const rows = await result.json<{ version: string }>();
  return capabilitiesOf(rows[0]?.version ?? '0.0');
}

export async function migrateClickHouse(
  client: ClickHouseClient,
  database: string,
  migrations: readonly ClickHouseMigration[] = CLICKHOUSE_MIGRATIONS,
): Promise<MigrationReport> {
  const db = sqlIdentifier(database);
  const caps = await detectCapabilities(client);
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations (version UInt32, name String, server_version String, applied_at DateTime)
            ENGINE = ReplacingMergeTree ORDER BY version`,
  });
  const done = new Set(await appliedVersions(client, db));
  const report: MigrationReport = {
    serverVersion: caps.version,
    applied: [],
    alreadyApplied: [],
    waitingForServer: [],
  };
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    const label = `${migration.version}_${migration.name}`;
    if (done.has(migration.version)) {
      report.alreadyApplied.push(label);
      continue;
    }
    if (migration.requires && !migration.requires(caps)) {
      report.waitingForServer.push(label);
      continue;
    }
    for (const statement of migration.statements(db, caps)) {
      try {
        await client.command({ query: statement });
      } catch (error) {
        throw new MigrationError(`ClickHouse migration ${label} failed: ${(error as Error).message}`, label, {
          cause: error,
        });
      }
    }
    await client.insert({
      table: `${db}.schema_migrations`,
      values: [
        {
          version: migration.version,
          name: migration.name,
          server_version: caps.version,
          applied_at: nowSeconds(),
        },
      ],
      format: 'JSONEachRow',
    });
    report.applied.push(label);
  }
  return report;
}

export async function appliedVersions(client: ClickHouseClient, database: string): Promise<number[]> {
  const result = await client.query({
    query: `SELECT DISTINCT version FROM ${sqlIdentifier(database)}.schema_migrations ORDER BY version`,
    format: 'JSONEachRow',
  });
  return (await result.json<{ version: number }>()).map((row) => Number(row.version));
}

/**
 * A DateTime value as Unix seconds: every ClickHouse version reads it the same way whatever the server's time
 * zone (the text form would be parsed in the server's zone and shift stored keys).
 */
export function clickHouseDateTime(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function nowSeconds(): number {
  return clickHouseDateTime(new Date());
}
