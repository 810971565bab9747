/**
 * Versioned ClickHouse migrations. Each one renders its statements for the connected server's capabilities,
 * so the same history runs on the 18.16 server here and on ClickHouse Cloud (with TTL, codecs and
 * LowCardinality there). A migration whose `requires` is not met is left unrecorded: after a server upgrade
 * the next `migrate` applies it.
 *
 * Deduplication: the result tables are ReplacingMergeTree keyed by tenant, site, page and audit with a
 * deterministic audit start time in the key, so a retried activity or a re-run audit writes the same key and
 * readers use FINAL / argMax. Rows never carry a time that differs between retries in their key.
 */
import type { ClickHouseCapabilities } from './clickhouse-capabilities.js';
import { sqlIdentifier } from './clickhouse-sql.js';

export interface ClickHouseMigration {
  readonly version: number;
  readonly name: string;
  /** When false for this server, the migration waits (unrecorded) for a server that supports it. */
  readonly requires?: (caps: ClickHouseCapabilities) => boolean;
  readonly statements: (db: string, caps: ClickHouseCapabilities) => string[];
}

/** `LowCardinality(String)` where it is stable, plain `String` on older servers. */
function lc(caps: ClickHouseCapabilities): string {
  return caps.lowCardinality ? 'LowCardinality(String)' : 'String';
}

function codec(caps: ClickHouseCapabilities, spec: string): string {
  return caps.codecs ? ` CODEC(${spec})` : '';
}

/** Retention per table, applied where the server has TTL. */
export const RETENTION = {
  pageResultsMonths: 25,
  siteAuditsMonths: 25,
  pageFactsDays: 30,
  /** The audit's page list lives as long as the facts it indexes. */
  auditPagesDays: 30,
  /** Cached LLM answers are not reused after this many days (reads filter by age; TTL deletes where supported). */
  llmAnswersDays: 30,
} as const;

export const CLICKHOUSE_MIGRATIONS: readonly ClickHouseMigration[] = [
  {
    version: 1,
    name: 'page_results',
    statements: (db, caps) => [
      `CREATE TABLE IF NOT EXISTS ${sqlIdentifier(db)}.page_results (
        tenant_id String,
        plan ${lc(caps)},
        site_key String,
        page_id String,
        audit_id String,
        audit_started_at DateTime,
        audited_at DateTime,
        page_url String${codec(caps, 'ZSTD(3)')},
        outcome ${lc(caps)},
        outcome_reason ${lc(caps)},
        outcome_detail String${codec(caps, 'ZSTD(3)')},
        http_status UInt16,
        level ${lc(caps)},
        level_rank Int8,
        gated_by ${lc(caps)},
        experience Nullable(UInt8),
        expertise Nullable(UInt8),
        authoritativeness Nullable(UInt8),
        trust Nullable(UInt8),
        mc_quality Nullable(UInt8),
        reputation Nullable(UInt8),
        purpose ${lc(caps)},
        ymyl_class ${lc(caps)},
        scorer ${lc(caps)},
        model ${lc(caps)},
        rubric_version ${lc(caps)},
        content_hash String,
        rating_json String${codec(caps, 'ZSTD(3)')},
        version UInt64
      )
      ENGINE = ReplacingMergeTree(version)
      PARTITION BY toYYYYMM(audit_started_at)
      ORDER BY (tenant_id, site_key, page_id, audit_started_at, audit_id)`,
    ],
  },
  {
    version: 2,
    name: 'site_audits',
    statements: (db, caps) => [
      `CREATE TABLE IF NOT EXISTS ${sqlIdentifier(db)}.site_audits (
        tenant_id String,
        plan ${lc(caps)},
        site_key String,
        site_url String,
        audit_id String,
        started_at DateTime,
        finished_at DateTime,
        status ${lc(caps)},
        pages_total UInt32,
        pages_audited UInt32,
        pages_skipped UInt32,
        pages_failed UInt32,
        median_level ${lc(caps)},
        experience Nullable(Float32),
        expertise Nullable(Float32),
        authoritativeness Nullable(Float32),
        trust Nullable(Float32),
        mc_quality Nullable(Float32),
        rubric_version ${lc(caps)},
        site_rating_json String${codec(caps, 'ZSTD(3)')},
        version UInt64
      )
      ENGINE = ReplacingMergeTree(version)
      PARTITION BY toYYYYMM(started_at)
      ORDER BY (tenant_id, site_key, started_at, audit_id)`,
    ],
  },
  {
    version: 3,
    name: 'page_facts',
    statements: (db, caps) => [
      `CREATE TABLE IF NOT EXISTS ${sqlIdentifier(db)}.page_facts (
        tenant_id String,
        audit_id String,
        page_id String,
        audit_started_at DateTime,
        page_url String,
        facts_json String${codec(caps, 'ZSTD(3)')},
        version UInt64
      )
      ENGINE = ReplacingMergeTree(version)
      PARTITION BY toYYYYMM(audit_started_at)
      ORDER BY (tenant_id, audit_id, page_id)`,
    ],
  },
  {
    version: 4,
    name: 'audit_contexts',
    statements: (db, caps) => [
      `CREATE TABLE IF NOT EXISTS ${sqlIdentifier(db)}.audit_contexts (
        tenant_id String,
        audit_id String,
        audit_started_at DateTime,
        context_json String${codec(caps, 'ZSTD(3)')},
        version UInt64
      )
      ENGINE = ReplacingMergeTree(version)
      PARTITION BY toYYYYMM(audit_started_at)
      ORDER BY (tenant_id, audit_id)`,
    ],
  },
  {
    version: 5,
    name: 'retention_ttl',
    requires: (caps) => caps.ttl,
    statements: (db, caps) => {
      const d = sqlIdentifier(db);
      const dropParts = caps.ttlOnlyDropParts;
      return [
        `ALTER TABLE ${d}.page_results MODIFY TTL audit_started_at + INTERVAL ${RETENTION.pageResultsMonths} MONTH`,
        `ALTER TABLE ${d}.site_audits MODIFY TTL started_at + INTERVAL ${RETENTION.siteAuditsMonths} MONTH`,
        `ALTER TABLE ${d}.page_facts MODIFY TTL audit_started_at + INTERVAL ${RETENTION.pageFactsDays} DAY`,
        `ALTER TABLE ${d}.audit_contexts MODIFY TTL audit_started_at + INTERVAL ${RETENTION.pageFactsDays} DAY`,
        ...(dropParts
          ? ['page_results', 'site_audits', 'page_facts', 'audit_contexts'].map(
              (t) => `ALTER TABLE ${d}.${t} MODIFY SETTING ttl_only_drop_parts = 1`,
            )
          : []),
      ];
    },
  },
  {
    version: 6,
    name: 'audit_pages',
    statements: (db) => [
      // The audit's page list, in discovery order: the workflow walks it by position instead of carrying URLs.
      `CREATE TABLE IF NOT EXISTS ${sqlIdentifier(db)}.audit_pages (
        tenant_id String,
        audit_id String,
        audit_started_at DateTime,
        seq UInt32,
        page_id String,
        page_url String,
        version UInt64
      )
      ENGINE = ReplacingMergeTree(version)
      PARTITION BY toYYYYMM(audit_started_at)
      ORDER BY (tenant_id, audit_id, seq)`,
    ],
  },
  {
    version: 7,
    name: 'llm_answers',
    statements: (db) => [
      // Validated rubric answers per tenant, shared by every worker. Partitioned by month of writing so expired
      // months can be dropped whole on servers without TTL.
      `CREATE TABLE IF NOT EXISTS ${sqlIdentifier(db)}.llm_answers (
        tenant_id String,
        cache_key String,
        model String,
        truncated UInt8,
        answer_json String,
        created_at DateTime
      )
      ENGINE = ReplacingMergeTree(created_at)
      PARTITION BY toYYYYMM(created_at)
      ORDER BY (tenant_id, cache_key)`,
    ],
  },
  {
    version: 8,
    name: 'audit_pages_llm_answers_ttl',
    requires: (caps) => caps.ttl,
    statements: (db) => {
      const d = sqlIdentifier(db);
      return [
        `ALTER TABLE ${d}.audit_pages MODIFY TTL audit_started_at + INTERVAL ${RETENTION.auditPagesDays} DAY`,
        `ALTER TABLE ${d}.llm_answers MODIFY TTL created_at + INTERVAL ${RETENTION.llmAnswersDays} DAY`,
      ];
    },
  },
];
