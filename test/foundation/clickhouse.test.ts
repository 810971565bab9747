import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServices, type ClickHouseSettings } from '../harness/index.js';

describe('ClickHouse (harness)', () => {
  let clickhouse: ClickHouseSettings;
  let client: ClickHouseClient;

  beforeAll(async () => {
    ({ clickhouse } = await useServices('clickhouse'));
    client = createClient({ ...clickhouse });
  });

  afterAll(async () => {
    await client?.close();
  });

  it('should create a MergeTree table, insert JSONEachRow rows and aggregate them back', async () => {
    const table = `foundation_scores_${crypto.randomUUID().slice(0, 8)}`;
    await client.command({
      query: `CREATE TABLE ${table} (tenant String, audited Date, score Float64)
              ENGINE = MergeTree() PARTITION BY toYYYYMM(audited) ORDER BY (tenant, audited)`,
    });
    await client.insert({
      table,
      format: 'JSONEachRow',
      values: [
        { tenant: 't1', audited: '2026-11-01', score: 0.5 },
        { tenant: 't1', audited: '2026-11-02', score: 0.75 },
        { tenant: 't2', audited: '2026-11-02', score: 0.25 },
      ],
    });
    const result = await client.query({
      query: `SELECT tenant, count() AS pages, avg(score) AS mean FROM ${table} GROUP BY tenant ORDER BY tenant`,
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ tenant: string; pages: string | number; mean: number }>();
    expect(rows.map((row) => [row.tenant, Number(row.pages), row.mean])).toEqual([
      ['t1', 2, 0.625],
      ['t2', 1, 0.25],
    ]);
    const version = await (
      await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })
    ).json<{ v: string }>();
    console.info(
      `[foundation] ClickHouse ${clickhouse.url}: server ${version[0]?.v}, ${rows.length} tenants aggregated`,
    );
  });

  it('should reject a wrong password', async () => {
    // Its client logs the expected 401 as an error; silence it to keep the output about real failures.
    const intruder = createClient({
      ...clickhouse,
      password: 'not-the-password',
      log: { level: ClickHouseLogLevel.OFF },
    });
    try {
      await expect(intruder.query({ query: 'SELECT 1' })).rejects.toThrow(/password|Authentication/i);
    } finally {
      await intruder.close();
    }
  });
});
