import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickHouseClient } from '@clickhouse/client';
import { capabilitiesOf } from '../../src/storage/clickhouse/clickhouse-capabilities.js';
import { CLICKHOUSE_MIGRATIONS } from '../../src/storage/clickhouse/clickhouse-migrations.js';
import {
  appliedVersions,
  detectCapabilities,
  migrateClickHouse,
} from '../../src/storage/clickhouse/clickhouse-migrator.js';
import { openClickHouse } from '../support/stores.js';

describe('ClickHouse migrations', () => {
  let client: ClickHouseClient;
  let database: string;

  beforeAll(async () => {
    ({ client, database } = await openClickHouse());
  });
  afterAll(async () => {
    await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await client.close();
  });

  it('should apply every migration the server supports and record each one', async () => {
    const caps = await detectCapabilities(client);
    const report = await migrateClickHouse(client, database);
    const expected = CLICKHOUSE_MIGRATIONS.filter((m) => !m.requires || m.requires(caps)).map(
      (m) => m.version,
    );
    expect(await appliedVersions(client, database)).toEqual(expected);
    expect(report.applied).toHaveLength(expected.length);
  });

  it('should create the result tables ordered by tenant first', async () => {
    const result = await client.query({
      query: `SELECT name, sorting_key FROM system.tables WHERE database = '${database}' AND name IN ('page_results', 'site_audits', 'page_facts', 'audit_contexts', 'audit_pages', 'llm_answers') ORDER BY name`,
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ name: string; sorting_key: string }>();
    expect(rows.map((r) => r.name)).toEqual([
      'audit_contexts',
      'audit_pages',
      'llm_answers',
      'page_facts',
      'page_results',
      'site_audits',
    ]);
    for (const row of rows) expect(row.sorting_key.startsWith('tenant_id')).toBe(true);
  });

  it('should leave the TTL migration waiting on a server without TTL, and apply nothing on a second run', async () => {
    const caps = await detectCapabilities(client);
    const again = await migrateClickHouse(client, database);
    expect(again.applied).toEqual([]);
    if (caps.ttl) expect(again.waitingForServer).toEqual([]);
    else expect(again.waitingForServer).toEqual(['5_retention_ttl', '8_audit_pages_llm_answers_ttl']);
  });

  it('should detect the 18.16 server as lacking TTL, codecs and stable LowCardinality, and a current server as having them', () => {
    const old = capabilitiesOf('18.16.1');
    expect([old.ttl, old.codecs, old.lowCardinality]).toEqual([false, false, false]);
    const cloud = capabilitiesOf('25.8.1.8344');
    expect([cloud.ttl, cloud.codecs, cloud.lowCardinality, cloud.ttlOnlyDropParts]).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });

  it('should render TTL, codecs and LowCardinality only for a server that supports them', () => {
    const cloud = capabilitiesOf('25.8.1.8344');
    const old = capabilitiesOf('18.16.1');
    const pageResults = CLICKHOUSE_MIGRATIONS.find((m) => m.name === 'page_results');
    expect(pageResults?.statements('db', cloud).join('\n')).toMatch(
      /LowCardinality\(String\)[\s\S]*CODEC\(ZSTD\(3\)\)/,
    );
    expect(pageResults?.statements('db', old).join('\n')).not.toMatch(/LowCardinality|CODEC/);
    const ttl = CLICKHOUSE_MIGRATIONS.find((m) => m.name === 'retention_ttl');
    expect(ttl?.requires?.(old)).toBe(false);
    expect(ttl?.statements('db', cloud).join('\n')).toMatch(
      /MODIFY TTL audit_started_at \+ INTERVAL 25 MONTH/,
    );
  });
});
