import { createClient } from '@clickhouse/client';
import { Connection } from '@temporalio/client';
import neo4j from 'neo4j-driver';
import pg from 'pg';
import type { ServiceName, ServiceSettings } from '../../test/harness/index.js';

/** One line per service: what answered, proved by a real round trip, not by a port being open. */
type HealthCheck<K extends ServiceName> = (settings: ServiceSettings[K]) => Promise<string>;

const postgres: HealthCheck<'postgres'> = async (settings) => {
  const client = new pg.Client({ connectionString: settings.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: string }>('SELECT version()');
    return `${rows[0]?.version.split(',')[0] ?? '?'}; database ${settings.database} as ${settings.user}`;
  } finally {
    await client.end();
  }
};

const temporal: HealthCheck<'temporal'> = async (settings) => {
  const connection = await Connection.connect({ address: settings.address });
  try {
    const info = await connection.workflowService.getSystemInfo({});
    const attributes = await connection.operatorService.listSearchAttributes({
      namespace: settings.namespace,
    });
    const custom = Object.keys(attributes.customAttributes ?? {})
      .sort()
      .join(', ');
    return `server ${info.serverVersion ?? '?'}; namespace ${settings.namespace}; search attributes ${custom}`;
  } finally {
    await connection.close();
  }
};

const clickhouse: HealthCheck<'clickhouse'> = async (settings) => {
  const client = createClient({ ...settings });
  try {
    const result = await client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' });
    const [row] = await result.json<{ version: string }>();
    return `ClickHouse ${row?.version ?? '?'}; database ${settings.database}`;
  } finally {
    await client.close();
  }
};

const neo4jCheck: HealthCheck<'neo4j'> = async (settings) => {
  const driver = neo4j.driver(settings.boltUrl, neo4j.auth.basic(settings.username, settings.password));
  try {
    const { records } = await driver.executeQuery('RETURN 1 + 1 AS two');
    const info = await driver.getServerInfo();
    return `${info.agent ?? '?'}; Cypher RETURN 1 + 1 = ${String(records[0]?.get('two'))}`;
  } finally {
    await driver.close();
  }
};

export const healthChecks: { [K in ServiceName]: HealthCheck<K> } = {
  postgres,
  temporal,
  clickhouse,
  neo4j: neo4jCheck,
};
