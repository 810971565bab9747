/**
 * The shared LLM answer cache: validated rubric answers in ClickHouse, per tenant, keyed by the rubric cache key
 * (content hash + rubric and prompt versions + provider/model). Every worker reads and writes the same table, so
 * an unchanged page is never paid for twice by its tenant, whichever worker rates it, before or after a restart.
 *
 * Expiry: an answer is reused for `maxAgeDays` after it was written. The 18.16 server has no TTL, so reads ignore
 * older rows (`created_at` is the row's write time and its version) and `dropExpiredMonths` drops whole monthly
 * partitions past the expiry; on servers with TTL a migration also deletes them in the background.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import type { CachedRubricAnswer, RubricCache } from '../../scoring/llm/rate-with-llm.js';
import { RubricAnswerSchema } from '../../scoring/llm/rubric-schema.js';
import { assertKey } from '../tenant-keys.js';
import { clickHouseDateTime } from './clickhouse-migrator.js';
import { RETENTION } from './clickhouse-migrations.js';
import { sqlIdentifier, sqlString } from './clickhouse-sql.js';

const CachedRow = z.object({
  model: z.string(),
  truncated: z.coerce.number(),
  answer_json: z.string(),
  n: z.coerce.number(),
});

const DAY_SECONDS = 86_400;

export class LlmAnswerStore {
  private readonly db: string;

  constructor(
    private readonly client: ClickHouseClient,
    database: string,
    private readonly maxAgeDays: number = RETENTION.llmAnswersDays,
  ) {
    this.db = sqlIdentifier(database);
  }

  /** The cache as the rubric sees it, scoped to one tenant: no tenant ever reads another's answers. */
  forTenant(tenantId: string): RubricCache {
    const tenant = assertKey('tenantId', tenantId);
    return { get: (key) => this.get(tenant, key), set: (key, value) => this.set(tenant, key, value) };
  }

  async get(tenantId: string, cacheKey: string): Promise<CachedRubricAnswer | null> {
    const since = clickHouseDateTime(new Date()) - this.maxAgeDays * DAY_SECONDS;
    const result = await this.client.query({
      query: `SELECT argMax(model, created_at) AS model, argMax(truncated, created_at) AS truncated,
                     argMax(answer_json, created_at) AS answer_json, count() AS n
              FROM ${this.db}.llm_answers
              WHERE tenant_id = ${sqlString(assertKey('tenantId', tenantId))} AND cache_key = ${sqlString(hexKey(cacheKey))}
                AND created_at >= toDateTime(${since})`,
      format: 'JSONEachRow',
    });
    const row = CachedRow.parse(
      (await result.json<unknown>())[0] ?? { model: '', truncated: 0, answer_json: '', n: 0 },
    );
    if (row.n === 0) return null;
    // A row this version of the rubric cannot read is a miss, never an error: the page is rated afresh.
    const answer = RubricAnswerSchema.safeParse(safeJson(row.answer_json));
    if (!answer.success) return null;
    return { answer: answer.data, model: row.model, truncated: row.truncated === 1 };
  }

  async set(tenantId: string, cacheKey: string, value: CachedRubricAnswer): Promise<void> {
    await this.client.insert({
      table: `${this.db}.llm_answers`,
      values: [
        {
          tenant_id: assertKey('tenantId', tenantId),
          cache_key: hexKey(cacheKey),
          model: value.model,
          truncated: value.truncated ? 1 : 0,
          answer_json: JSON.stringify(value.answer),
          created_at: clickHouseDateTime(new Date()),
        },
      ],
      format: 'JSONEachRow',
    });
  }

  /**
   * Drops the monthly partitions whose every answer is past the expiry (for servers without TTL). Returns the
   * partitions dropped.
   */
  async dropExpiredMonths(now = new Date()): Promise<string[]> {
    const cutoff = new Date(now.getTime() - this.maxAgeDays * DAY_SECONDS * 1000);
    // A month is wholly expired when it ended before the cutoff: it is older than the cutoff's month.
    const cutoffMonth = cutoff.getUTCFullYear() * 100 + cutoff.getUTCMonth() + 1;
    const result = await this.client.query({
      query: `SELECT DISTINCT partition FROM system.parts
              WHERE database = ${sqlString(this.db)} AND table = 'llm_answers' AND active`,
      format: 'JSONEachRow',
    });
    const partitions = (await result.json<{ partition: string }>())
      .map((row) => row.partition.replaceAll("'", ''))
      .filter((p) => /^\d{6}$/.test(p) && Number(p) < cutoffMonth);
    for (const partition of partitions)
      await this.client.command({ query: `ALTER TABLE ${this.db}.llm_answers DROP PARTITION ${partition}` });
    return partitions;
  }
}

function hexKey(cacheKey: string): string {
  if (!/^[0-9a-f]{16,128}$/.test(cacheKey)) throw new TypeError('cacheKey: expected a hex digest');
  return cacheKey;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
