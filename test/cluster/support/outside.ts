/**
 * What a launch-profile release reaches outside its cluster, here on the host's loopback: the services harness's
 * Temporal, PostgreSQL (the key service's database), ClickHouse and Neo4j stand for the managed stores, the LLM
 * provider stand-in for the provider's API, and two copies of the bundled sample site (one answering slowly) for
 * the sites customers audit. The cluster harness exposes each to the pods as `<name>.external.svc.cluster.local`.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import pg from 'pg';
import { createClickHouseClient } from '../../../packages/eeat-worker/src/storage/clickhouse/clickhouse-connection.js';
import {
  startSampleSite,
  type SampleSite,
} from '../../../packages/eeat-worker/test/local-stack/sample-site-server.js';
import type { HostService } from '../../harness/cluster/cluster.js';
import { createDatabase, useServices } from '../../harness/index.js';
import type {
  ClickHouseSettings,
  Neo4jSettings,
  PostgresSettings,
  TemporalSettings,
} from '../../harness/settings.js';
import { startLlmStandIn, type LlmStandIn } from '../../stand-ins/llm-provider.js';

/** In-cluster port of each outside server (what the pods dial). */
export const outsidePorts = {
  temporal: 7233,
  postgres: 5432,
  clickhouse: 8123,
  neo4j: 7687,
  llm: 8080,
  site: 8080,
  'slow-site': 8080,
} as const;

export type OutsideName = keyof typeof outsidePorts;

export interface Outside {
  readonly temporal: TemporalSettings;
  readonly keysDatabase: PostgresSettings;
  /** ClickHouse with a database of this run's own, which the chart's migration Job creates. */
  readonly clickhouse: ClickHouseSettings;
  /** The test's own connections to the stores, to read what the release wrote. */
  readonly clickhouseClient: ClickHouseClient;
  readonly keysDb: pg.Pool;
  readonly neo4j: Neo4jSettings;
  readonly llm: LlmStandIn;
  readonly site: SampleSite;
  /** The same site, every page held back `slowPageMs`: an audit stays in flight long enough to interrupt it. */
  readonly slowSite: SampleSite;
  /** The key service's admin token (the release gets only its SHA-256) and the local key-encryption key ring. */
  readonly adminToken: string;
  readonly adminTokenSha256: string;
  readonly keyRing: string;
  /** For `startCluster({ hostServices })`. */
  readonly hostServices: Record<OutsideName, HostService>;
  close(): Promise<void>;
}

const slowPageMs = 3_000;

function loopbackAddress(url: string): string {
  const { hostname, port } = new URL(url);
  return `${hostname}:${port}`;
}

export async function startOutside(runName: string): Promise<Outside> {
  const { temporal, clickhouse, neo4j } = await useServices('temporal', 'clickhouse', 'neo4j', 'postgres');
  const keysDatabase = await createDatabase('cluster_keys');
  const llm = await startLlmStandIn();
  const site = await startSampleSite();
  const slowSite = await startSampleSite({ pageDelayMs: slowPageMs });
  const adminToken = randomBytes(32).toString('base64url');
  const ownClickHouse = { ...clickhouse, database: `${runName}_${randomBytes(4).toString('hex')}` };
  const clickhouseClient = createClickHouseClient(ownClickHouse);
  const keysDb = new pg.Pool(keysDatabase);
  return {
    temporal,
    keysDatabase,
    clickhouse: ownClickHouse,
    clickhouseClient,
    keysDb,
    neo4j,
    llm,
    site,
    slowSite,
    adminToken,
    adminTokenSha256: createHash('sha256').update(adminToken).digest('hex'),
    keyRing: JSON.stringify({
      currentVersion: 1,
      minimumDecryptionVersion: 1,
      keys: [{ version: 1, key: randomBytes(32).toString('base64') }],
    }),
    hostServices: {
      temporal: { address: temporal.address, port: outsidePorts.temporal },
      postgres: { address: `${keysDatabase.host}:${keysDatabase.port}`, port: outsidePorts.postgres },
      clickhouse: { address: loopbackAddress(clickhouse.url), port: outsidePorts.clickhouse },
      neo4j: { address: loopbackAddress(neo4j.boltUrl), port: outsidePorts.neo4j },
      llm: { address: loopbackAddress(llm.url), port: outsidePorts.llm },
      site: { address: site.allowHost, port: outsidePorts.site },
      'slow-site': { address: slowSite.allowHost, port: outsidePorts['slow-site'] },
    },
    async close() {
      await Promise.all([llm.close(), site.close(), slowSite.close(), keysDb.end()]);
      await clickhouseClient.command({ query: `DROP DATABASE IF EXISTS ${ownClickHouse.database}` });
      await clickhouseClient.close();
    },
  };
}
