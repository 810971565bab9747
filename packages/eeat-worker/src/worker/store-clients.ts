/** Opens both result stores from their settings (the configuration's `stores`) and closes them together. */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Driver } from 'neo4j-driver';
import {
  createClickHouseClient,
  type ClickHouseSettings,
} from '../storage/clickhouse/clickhouse-connection.js';
import { migrateClickHouse, type MigrationReport } from '../storage/clickhouse/clickhouse-migrator.js';
import { AuditPageList } from '../storage/clickhouse/audit-page-list.js';
import { LlmAnswerStore } from '../storage/clickhouse/llm-answer-store.js';
import { PageResultsStore } from '../storage/clickhouse/page-results-store.js';
import { createNeo4jDriver, type Neo4jSettings } from '../storage/neo4j/neo4j-connection.js';
import { migrateNeo4j } from '../storage/neo4j/neo4j-migrations.js';
import { SiteGraphStore } from '../storage/neo4j/site-graph-store.js';

export interface StoreClients {
  readonly clickhouse: ClickHouseClient;
  readonly clickhouseSettings: ClickHouseSettings;
  readonly neo4j: Driver;
  readonly results: PageResultsStore;
  readonly pageList: AuditPageList;
  readonly llmAnswers: LlmAnswerStore;
  readonly graph: SiteGraphStore;
  migrate(): Promise<{ clickhouse: MigrationReport; neo4j: { constraints: string[] } }>;
  close(): Promise<void>;
}

export function openStoreClients(settings: {
  readonly clickhouse: ClickHouseSettings;
  readonly neo4j: Neo4jSettings;
}): StoreClients {
  const clickhouseSettings = settings.clickhouse;
  const clickhouse = createClickHouseClient(clickhouseSettings);
  const neo4j = createNeo4jDriver(settings.neo4j);
  return {
    clickhouse,
    clickhouseSettings,
    neo4j,
    results: new PageResultsStore(clickhouse, clickhouseSettings.database),
    pageList: new AuditPageList(clickhouse, clickhouseSettings.database),
    llmAnswers: new LlmAnswerStore(clickhouse, clickhouseSettings.database),
    graph: new SiteGraphStore(neo4j),
    async migrate() {
      return {
        clickhouse: await migrateClickHouse(clickhouse, clickhouseSettings.database),
        neo4j: await migrateNeo4j(neo4j),
      };
    },
    async close() {
      await clickhouse.close();
      await neo4j.close();
    },
  };
}
