/**
 * Everywhere a tenant key could leak to, each read through the real interface a person or attacker would use:
 * workflow histories through the Temporal API, log files and captured process output, `/metrics` pages over
 * HTTP, every ClickHouse table, every Neo4j node and relationship, every PostgreSQL table, process environments
 * from /proc, and the rendered chart of both profiles.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Driver } from 'neo4j-driver';
import pg from 'pg';
import { copyChartWithoutDependencies } from '../../chart/support/chart-copy.js';
import { kedaApi, monitoringApi, profiles, renderText } from '../../chart/support/render.js';
import { findSecrets, flattenStrings, type SecretHit, type SecretWindows } from './secret-windows.js';

export interface ScanReport {
  readonly source: string;
  /** How many items (histories, files, pages, rows, nodes, objects) were read: proves the scan saw data. */
  readonly items: number;
  readonly hits: SecretHit[];
}

export async function scanWorkflowHistories(client: Client, windows: SecretWindows): Promise<ScanReport> {
  const hits: SecretHit[] = [];
  let items = 0;
  for await (const execution of client.workflow.list()) {
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    items += 1;
    const text = flattenStrings(history).join('\n');
    hits.push(
      ...findSecrets(text, windows, 'temporal-history', `${execution.workflowId}/${execution.runId}`),
    );
  }
  return { source: 'temporal-history', items, hits };
}

/** Every regular file below the given folders (logs of every server the harness started, worker log files). */
export async function scanFiles(
  roots: readonly string[],
  windows: SecretWindows,
  match: (path: string) => boolean,
): Promise<ScanReport> {
  const hits: SecretHit[] = [];
  let items = 0;
  const walk = async (dir: string): Promise<void> => {
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch {
      return;
    }
    for (const name of entries) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => null);
      if (!info) continue;
      if (info.isDirectory()) await walk(path);
      else if (info.isFile() && match(path)) {
        items += 1;
        hits.push(...findSecrets(await readFile(path, 'latin1'), windows, 'log-file', path));
      }
    }
  };
  for (const root of roots) await walk(root);
  return { source: 'log-file', items, hits };
}

export function scanTexts(
  source: string,
  texts: ReadonlyArray<{ name: string; text: string }>,
  windows: SecretWindows,
): ScanReport {
  return {
    source,
    items: texts.length,
    hits: texts.flatMap((t) => findSecrets(t.text, windows, source, t.name)),
  };
}

export async function scanMetricsPages(urls: readonly string[], windows: SecretWindows): Promise<ScanReport> {
  const pages = await Promise.all(
    urls.map(async (url) => {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`${url} answered ${res.status}`);
      return { name: url, text: await res.text() };
    }),
  );
  return scanTexts('metrics', pages, windows);
}

export async function scanClickHouse(
  clickhouse: ClickHouseClient,
  windows: SecretWindows,
): Promise<ScanReport> {
  const tables = await (
    await clickhouse.query({
      query: `SELECT database, name FROM system.tables WHERE database NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema') AND engine NOT LIKE '%View%'`,
      format: 'JSONEachRow',
    })
  ).json<{ database: string; name: string }>();
  const hits: SecretHit[] = [];
  let items = 0;
  for (const t of tables) {
    const rows = await (
      await clickhouse.query({
        query: `SELECT * FROM \`${t.database}\`.\`${t.name}\``,
        format: 'JSONEachRow',
      })
    ).json<Record<string, unknown>>();
    items += rows.length;
    hits.push(
      ...findSecrets(flattenStrings(rows).join('\n'), windows, 'clickhouse', `${t.database}.${t.name}`),
    );
  }
  return { source: 'clickhouse', items, hits };
}

export async function scanNeo4j(driver: Driver, windows: SecretWindows): Promise<ScanReport> {
  const session = driver.session();
  try {
    const nodes = await session.run('MATCH (n) RETURN labels(n) AS labels, properties(n) AS props');
    const rels = await session.run('MATCH ()-[r]->() RETURN type(r) AS type, properties(r) AS props');
    const values = [...nodes.records, ...rels.records].map((r) => r.toObject());
    return {
      source: 'neo4j',
      items: values.length,
      hits: findSecrets(flattenStrings(values).join('\n'), windows, 'neo4j', 'all nodes and relationships'),
    };
  } finally {
    await session.close();
  }
}

/** Every table of the key service's database, bytea as hex: plaintext must not be there, only ciphertext. */
export async function scanPostgres(url: string, windows: SecretWindows): Promise<ScanReport> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ schemaname: string; tablename: string }>(
      `SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
    );
    const hits: SecretHit[] = [];
    let items = 0;
    for (const t of tables.rows) {
      const rows = await client.query(`SELECT * FROM "${t.schemaname}"."${t.tablename}"`);
      items += rows.rowCount ?? 0;
      hits.push(
        ...findSecrets(
          flattenStrings(rows.rows).join('\n'),
          windows,
          'postgres',
          `${t.schemaname}.${t.tablename}`,
        ),
      );
    }
    return { source: 'postgres', items, hits };
  } finally {
    await client.end();
  }
}

/** The environment of each running process, as the kernel holds it (what `kubectl exec env` would show). */
export async function scanProcessEnvironments(
  pids: readonly number[],
  windows: SecretWindows,
): Promise<ScanReport> {
  const texts = await Promise.all(
    pids.map(async (pid) => ({
      name: `pid ${pid}`,
      text: (await readFile(`/proc/${pid}/environ`, 'latin1')).replaceAll('\0', '\n'),
    })),
  );
  return scanTexts('process-env', texts, windows);
}

/** Both profiles of the chart, rendered as a cluster with KEDA and the Prometheus Operator would render them. */
export async function scanRenderedChart(
  windows: SecretWindows,
  extraSet: readonly string[] = [],
): Promise<ScanReport> {
  const copy = await copyChartWithoutDependencies();
  try {
    const texts = await Promise.all(
      profiles.map(async (profile) => ({
        name: `values-${profile}.yaml`,
        text: await renderText(copy.dir, {
          profile,
          apiVersions: [kedaApi, monitoringApi],
          set: [...extraSet],
        }),
      })),
    );
    return scanTexts('chart', texts, windows);
  } finally {
    await copy.remove();
  }
}
