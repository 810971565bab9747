/** Real ClickHouse and Neo4j from the services harness, migrated into a fresh database per test file. */
import { randomBytes } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Driver } from 'neo4j-driver';
import { useServices } from '../../../../test/harness/index.js';
import { createClickHouseClient } from '../../src/storage/clickhouse/clickhouse-connection.js';
import { migrateClickHouse } from '../../src/storage/clickhouse/clickhouse-migrator.js';
import { PageResultsStore } from '../../src/storage/clickhouse/page-results-store.js';
import { createNeo4jDriver } from '../../src/storage/neo4j/neo4j-connection.js';
import { migrateNeo4j } from '../../src/storage/neo4j/neo4j-migrations.js';
import { SiteGraphStore } from '../../src/storage/neo4j/site-graph-store.js';

export interface TestStores {
  clickhouse: ClickHouseClient;
  database: string;
  clickhouseSettings: { url: string; username: string; password: string; database: string };
  neo4jSettings: { boltUrl: string; username: string; password: string };
  driver: Driver;
  results: PageResultsStore;
  graph: SiteGraphStore;
  close(): Promise<void>;
}

/** A unique suffix so tenants, audits and databases of different test files never meet. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** The environment a worker process or the CLI reads these stores from (APEXSEO_CLICKHOUSE_*, APEXSEO_NEO4J_*). */
export function storesEnv(stores: TestStores): Record<string, string> {
  return {
    APEXSEO_CLICKHOUSE_URL: stores.clickhouseSettings.url,
    APEXSEO_CLICKHOUSE_USER: stores.clickhouseSettings.username,
    APEXSEO_CLICKHOUSE_PASSWORD: stores.clickhouseSettings.password,
    APEXSEO_CLICKHOUSE_DATABASE: stores.database,
    APEXSEO_NEO4J_URL: stores.neo4jSettings.boltUrl,
    APEXSEO_NEO4J_USER: stores.neo4jSettings.username,
    APEXSEO_NEO4J_PASSWORD: stores.neo4jSettings.password,
  };
}

/** The recorded outcome of every page of an audit that was not skipped, with its detail: `failed: HTTP 500`. */
export async function unskippedOutcomes(
  stores: TestStores,
  tenantId: string,
  auditId: string,
): Promise<string[]> {
  return (await stores.results.auditPages(tenantId, auditId))
    .filter((p) => p.outcome !== 'skipped')
    .map((p) => `${p.outcome}${p.outcomeDetail ? `: ${p.outcomeDetail}` : ''}`);
}

export async function openClickHouse(): Promise<{
  client: ClickHouseClient;
  database: string;
  settings: TestStores['clickhouseSettings'];
}> {
  const { clickhouse } = await useServices('clickhouse');
  const database = `eeat_test_${uniqueSuffix()}`;
  const settings = { ...clickhouse, database };
  return { client: createClickHouseClient(settings), database, settings };
}

export async function openStores(): Promise<TestStores> {
  const { client, database, settings } = await openClickHouse();
  await migrateClickHouse(client, database);
  const { neo4j } = await useServices('neo4j');
  const driver = createNeo4jDriver(neo4j);
  await migrateNeo4j(driver);
  return {
    clickhouse: client,
    database,
    clickhouseSettings: settings,
    neo4jSettings: neo4j,
    driver,
    results: new PageResultsStore(client, database),
    graph: new SiteGraphStore(driver),
    async close() {
      await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
      await client.close();
      await driver.close();
    },
  };
}
