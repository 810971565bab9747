/**
 * The audit's page list in ClickHouse: every page discovery chose to audit, numbered in discovery order (`seq`
 * 0..n-1). The audit workflow walks this list by position with a cursor, so no workflow payload or history grows
 * with the size of the site. Rows are keyed by (tenant, audit, seq): a retried discovery rewrites the same keys and
 * readers take the latest version per position.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { AuditScope } from '../audit-scope.js';
import { assertKey, pageIdOf } from '../tenant-keys.js';
import { clickHouseDateTime } from './clickhouse-migrator.js';
import { sqlIdentifier, sqlString } from './clickhouse-sql.js';

/** A page of the list: its position and URL. */
export interface ListedPage {
  readonly seq: number;
  readonly url: string;
}

/**
 * Which pages of a range to read: all; those with stored facts (collected); those with neither facts nor an
 * outcome (`uncollected`: a collection that never finished); those with facts and no outcome (`unrated`).
 */
export type ListFilter = 'all' | 'collected' | 'uncollected' | 'unrated';

const INSERT_CHUNK = 5_000;

export class AuditPageList {
  private readonly db: string;

  constructor(
    private readonly client: ClickHouseClient,
    database: string,
  ) {
    this.db = sqlIdentifier(database);
  }

  /** Writes `urls` at positions `from`, `from + 1`, ... (in chunks, so a large list is never one request). */
  async write(scope: AuditScope, from: number, urls: readonly string[], onChunk?: () => void): Promise<void> {
    const version = Date.now();
    const startedAt = clickHouseDateTime(new Date(scope.startedAt));
    for (let i = 0; i < urls.length; i += INSERT_CHUNK) {
      const values = urls.slice(i, i + INSERT_CHUNK).map((url, j) => ({
        tenant_id: scope.tenantId,
        audit_id: scope.auditId,
        audit_started_at: startedAt,
        seq: from + i + j,
        page_id: pageIdOf(url),
        page_url: url,
        version,
      }));
      await this.client.insert({ table: `${this.db}.audit_pages`, values, format: 'JSONEachRow' });
      onChunk?.();
    }
  }

  /** The listed pages at positions [from, to), in order, narrowed by `filter`. */
  async read(
    tenantId: string,
    auditId: string,
    range: { from: number; to: number },
    filter: ListFilter = 'all',
  ): Promise<ListedPage[]> {
    const tenant = sqlString(assertKey('tenantId', tenantId));
    const audit = sqlString(assertKey('auditId', auditId));
    const ofAudit = `tenant_id = ${tenant} AND audit_id = ${audit}`;
    const from = Math.max(0, Math.floor(range.from));
    const to = Math.max(from, Math.floor(range.to));
    const facts = `(SELECT page_id FROM ${this.db}.page_facts WHERE ${ofAudit})`;
    const outcomes = `(SELECT page_id FROM ${this.db}.page_results WHERE ${ofAudit})`;
    const narrowed = {
      all: '',
      collected: `AND page_id IN ${facts}`,
      uncollected: `AND page_id NOT IN ${facts} AND page_id NOT IN ${outcomes}`,
      unrated: `AND page_id IN ${facts} AND page_id NOT IN ${outcomes}`,
    }[filter];
    const result = await this.client.query({
      query: `SELECT seq, argMax(page_url, version) AS page_url FROM ${this.db}.audit_pages
              WHERE ${ofAudit} AND seq >= ${from} AND seq < ${to} ${narrowed}
              GROUP BY seq ORDER BY seq`,
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ seq: number | string; page_url: string }>();
    return rows.map((row) => ({ seq: Number(row.seq), url: row.page_url }));
  }
}
