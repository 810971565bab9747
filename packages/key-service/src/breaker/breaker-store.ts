import type pg from 'pg';
import { writeAudit, withTransaction } from '../audit/audit-log.js';
import type { Provider } from '../domain/provider.js';
import type { Caller } from '../domain/caller.js';
import type { BreakerColumns } from './breaker-row.js';
import { rowFromColumns } from './breaker-row.js';
import type { BreakerRules, BreakerStateName, Outcome, TripReason } from './breaker-transition.js';
import { applyReport, viewOf } from './breaker-transition.js';

export interface ReportResult {
  readonly state: BreakerStateName;
  readonly tripped: boolean;
  readonly consecutiveFailures: number;
  readonly retryAfterSeconds?: number;
  /** Set when this report tripped the breaker (for metrics). */
  readonly tripReason?: TripReason;
}

export type ReportAnswer =
  { readonly kind: 'ok'; readonly result: ReportResult } | { readonly kind: 'unknown_version' };

export interface StatusResult {
  readonly state: BreakerStateName;
  /** The provider of the key the answer is about (absent when the tenant has no key). */
  readonly provider?: Provider;
  readonly paused: boolean;
  readonly reason?: TripReason;
  readonly retryAfterSeconds?: number;
  readonly keyVersion?: number;
}

/**
 * The fleet breaker's authority. Every report runs in a transaction holding the breaker row lock,
 * so reports from any number of replicas are applied one after another and exactly one of them
 * sees the closed-to-open transition.
 */
export class BreakerStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly rules: BreakerRules,
  ) {}

  async report(
    tenantId: string,
    provider: Provider,
    keyVersion: number,
    outcome: Outcome,
    retryAfterSeconds: number | undefined,
    caller: Caller,
  ): Promise<ReportAnswer> {
    return withTransaction(this.pool, async (client) => {
      /** Every report is audited, with what became of it (`tripped:auth_failure`, `stale:success`, ...). */
      const audit = (fate: string) =>
        writeAudit(client, {
          actor: caller.actor,
          action: 'report',
          tenantId,
          provider,
          keyVersion,
          outcome: `${fate}:${outcome}`,
          requestId: caller.requestId,
        });
      const current = await client.query<{ key_version: number }>(
        'SELECT key_version FROM tenant_keys WHERE tenant_id = $1 AND provider = $2 AND deleted_at IS NULL',
        [tenantId, provider],
      );
      const currentVersion = current.rows[0]?.key_version;
      if (currentVersion === undefined || keyVersion < 1 || keyVersion > currentVersion) {
        await audit('unknown_version');
        return { kind: 'unknown_version' };
      }
      const { rows } = await client.query<BreakerColumns & { db_now: Date }>(
        `SELECT state, reason, failures, opened_at, reopen_at, probe_until, now() AS db_now FROM key_breakers
         WHERE tenant_id = $1 AND provider = $2 AND key_version = $3 FOR UPDATE`,
        [tenantId, provider, currentVersion],
      );
      const columns = rows[0];
      const now = columns?.db_now ?? new Date();
      const before = columns
        ? rowFromColumns(columns)
        : rowFromColumns({
            state: null,
            reason: null,
            failures: null,
            opened_at: null,
            reopen_at: null,
            probe_until: null,
          });

      // A report about a superseded key says nothing about the key being served now: it is audited
      // but does not move the current version's breaker.
      const stale = keyVersion !== currentVersion;
      const { next, tripped } = stale
        ? { next: before, tripped: false }
        : applyReport(before, outcome, retryAfterSeconds, now, this.rules);
      if (!stale) {
        await client.query(
          `INSERT INTO key_breakers AS b (tenant_id, provider, key_version, state, reason, failures, trips, opened_at, reopen_at, probe_until)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (tenant_id, provider, key_version) DO UPDATE SET
             state = EXCLUDED.state, reason = EXCLUDED.reason, failures = EXCLUDED.failures,
             trips = b.trips + EXCLUDED.trips, opened_at = EXCLUDED.opened_at, reopen_at = EXCLUDED.reopen_at,
             probe_until = EXCLUDED.probe_until,
             probe_owner = CASE WHEN EXCLUDED.state = 'half_open' THEN b.probe_owner ELSE NULL END,
             updated_at = now()`,
          [
            tenantId,
            provider,
            currentVersion,
            next.state,
            next.reason,
            next.failures,
            tripped ? 1 : 0,
            next.openedAt,
            next.reopenAt,
            next.probeUntil,
          ],
        );
      }
      await audit(stale ? 'stale' : tripped ? 'tripped' : 'reported');
      const view = viewOf(next, now);
      return {
        kind: 'ok',
        result: {
          state: view.state,
          tripped,
          consecutiveFailures: next.failures,
          ...(view.retryAfterSeconds !== undefined ? { retryAfterSeconds: view.retryAfterSeconds } : {}),
          ...(tripped && next.reason ? { tripReason: next.reason } : {}),
        },
      };
    });
  }

  /** The breaker of the tenant's key for `provider`, or without one of its current key (the one stored last). */
  async status(tenantId: string, provider: Provider | undefined): Promise<StatusResult> {
    const { rows } = await this.pool.query<
      BreakerColumns & { key_version: number; provider: Provider; db_now: Date }
    >(
      `SELECT k.key_version, k.provider, b.state, b.reason, b.failures, b.opened_at, b.reopen_at, b.probe_until,
              now() AS db_now
       FROM tenant_keys k LEFT JOIN key_breakers b
         ON b.tenant_id = k.tenant_id AND b.provider = k.provider AND b.key_version = k.key_version
       WHERE k.tenant_id = $1 AND ($2::text IS NULL OR k.provider = $2) AND k.deleted_at IS NULL
       ORDER BY k.created_at DESC, k.provider LIMIT 1`,
      [tenantId, provider ?? null],
    );
    const row = rows[0];
    if (!row) return { state: 'closed', paused: false };
    return {
      ...viewOf(rowFromColumns(row), row.db_now),
      keyVersion: row.key_version,
      provider: row.provider,
    };
  }

  /** Admin override: closes the current version's breaker for one or all providers. */
  async resume(
    tenantId: string,
    provider: Provider | undefined,
    caller: Caller,
  ): Promise<{ found: boolean; resumed: Provider[] }> {
    return withTransaction(this.pool, async (client) => {
      const keys = await client.query<{ provider: Provider }>(
        `SELECT provider FROM tenant_keys WHERE tenant_id = $1 AND deleted_at IS NULL AND ($2::text IS NULL OR provider = $2)`,
        [tenantId, provider ?? null],
      );
      const { rows } = await client.query<{ provider: Provider }>(
        `UPDATE key_breakers b SET state = 'closed', reason = NULL, failures = 0, opened_at = NULL, reopen_at = NULL,
           probe_until = NULL, probe_owner = NULL, updated_at = now()
         FROM tenant_keys k
         WHERE k.tenant_id = $1 AND k.deleted_at IS NULL AND ($2::text IS NULL OR k.provider = $2)
           AND b.tenant_id = k.tenant_id AND b.provider = k.provider AND b.key_version = k.key_version
           AND b.state <> 'closed'
         RETURNING b.provider`,
        [tenantId, provider ?? null],
      );
      const resumed = rows.map((r) => r.provider).sort();
      await writeAudit(client, {
        actor: caller.actor,
        action: 'resume',
        tenantId,
        provider: provider ?? null,
        outcome:
          keys.rows.length === 0
            ? 'not_found'
            : resumed.length > 0
              ? `resumed:${resumed.join(',')}`
              : 'not_paused',
        requestId: caller.requestId,
      });
      return { found: keys.rows.length > 0, resumed };
    });
  }

  /** Breakers currently not closed on a served key, by provider (the `key_service_breaker_open` gauge). */
  async openCounts(): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ provider: string; open: string }>(
      `SELECT b.provider, count(*) AS open FROM key_breakers b JOIN tenant_keys k
         ON k.tenant_id = b.tenant_id AND k.provider = b.provider AND k.key_version = b.key_version
       WHERE b.state <> 'closed' AND k.deleted_at IS NULL GROUP BY b.provider`,
    );
    return new Map(rows.map((r) => [r.provider, Number(r.open)]));
  }
}
