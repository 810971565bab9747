import type pg from 'pg';
import { writeAudit, withTransaction } from '../audit/audit-log.js';
import type { BreakerView, TripReason } from '../breaker/breaker-transition.js';
import { viewOf } from '../breaker/breaker-transition.js';
import type { BreakerColumns } from '../breaker/breaker-row.js';
import { rowFromColumns } from '../breaker/breaker-row.js';
import type { Caller } from '../domain/caller.js';
import type { Provider } from '../domain/provider.js';
import type { EnvelopeCipher, StoredEnvelope } from './envelope-cipher.js';
import type { SecretString } from '../crypto/secret-string.js';
import { keyFingerprint } from './fingerprint.js';

export interface StoredKeyInfo {
  readonly tenantId: string;
  readonly provider: Provider;
  readonly keyVersion: number;
  readonly fingerprint: string;
}

export interface KeyMetadata {
  readonly keyVersion: number;
  readonly fingerprint: string;
  readonly createdAt: string;
  readonly breaker: BreakerView & { readonly consecutiveFailures: number };
}

export type AcquireResult =
  | {
      readonly kind: 'granted';
      readonly keyVersion: number;
      readonly apiKey: SecretString;
      readonly probe: boolean;
    }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'paused'; readonly reason: TripReason; readonly retryAfterSeconds?: number };

interface AcquireRow extends BreakerColumns {
  decision: 'not_found' | 'probe' | 'granted' | 'paused';
  key_version: number | null;
  kek_version: number | null;
  wrapped_dek: Buffer | null;
  nonce: Buffer | null;
  ciphertext: Buffer | null;
  auth_tag: Buffer | null;
  db_now: Date;
}

/**
 * One round trip for acquire: read the key and its breaker, take the half-open probe lease if this
 * caller is the one to probe, and write the audit row, all in one statement (one transaction), so a
 * key is never handed out without its audit record.
 *
 * The probe lease is an UPDATE guarded by the state it expects; under concurrent acquires PostgreSQL
 * re-checks that guard on the newest row version after waiting for the row lock, so exactly one
 * caller fleet-wide gets the lease until it expires or the probe reports.
 */
const ACQUIRE_SQL = `
WITH k AS (
  SELECT key_version, kek_version, wrapped_dek, nonce, ciphertext, auth_tag
  FROM tenant_keys WHERE tenant_id = $1 AND provider = $2 AND deleted_at IS NULL
),
b AS (
  SELECT br.state, br.reason, br.failures, br.opened_at, br.reopen_at, br.probe_until
  FROM key_breakers br JOIN k ON br.key_version = k.key_version
  WHERE br.tenant_id = $1 AND br.provider = $2
),
lease AS (
  UPDATE key_breakers br
  SET state = 'half_open', probe_until = now() + make_interval(secs => $5), probe_owner = $3, updated_at = now()
  FROM k
  WHERE br.tenant_id = $1 AND br.provider = $2 AND br.key_version = k.key_version
    AND br.reason = 'rate_limited'
    AND ((br.state = 'open' AND br.reopen_at <= now()) OR (br.state = 'half_open' AND br.probe_until <= now()))
  RETURNING br.probe_until
),
decision AS (
  SELECT CASE
    WHEN NOT EXISTS (SELECT 1 FROM k) THEN 'not_found'
    WHEN EXISTS (SELECT 1 FROM lease) THEN 'probe'
    WHEN coalesce((SELECT state FROM b), 'closed') = 'closed' THEN 'granted'
    ELSE 'paused' END AS decision
),
audit AS (
  INSERT INTO audit_log (actor, action, tenant_id, provider, key_version, outcome, request_id)
  SELECT $3, 'acquire', $1, $2, (SELECT key_version FROM k), d.decision, $4 FROM decision d
)
SELECT d.decision, k.*, b.state, b.reason, b.failures, b.opened_at, b.reopen_at, b.probe_until, now() AS db_now
FROM decision d LEFT JOIN k ON true LEFT JOIN b ON true`;

export class KeyStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly cipher: EnvelopeCipher,
    private readonly probeLeaseSeconds: number,
  ) {}

  /** Stores a new version of the tenant's key; the new version's breaker starts closed. */
  async store(tenantId: string, provider: Provider, apiKey: string, caller: Caller): Promise<StoredKeyInfo> {
    return withTransaction(this.pool, async (client) => {
      // A placeholder row makes the version counter lockable even for a tenant's first key.
      await client.query(
        `INSERT INTO tenant_keys (tenant_id, provider, key_version, deleted_at) VALUES ($1, $2, 0, now())
         ON CONFLICT (tenant_id, provider) DO NOTHING`,
        [tenantId, provider],
      );
      const { rows } = await client.query<{ key_version: number }>(
        'SELECT key_version FROM tenant_keys WHERE tenant_id = $1 AND provider = $2 FOR UPDATE',
        [tenantId, provider],
      );
      const keyVersion = (rows[0]?.key_version ?? 0) + 1;
      const envelope = await this.cipher.encrypt(apiKey, { tenantId, provider, keyVersion });
      const fingerprint = keyFingerprint(apiKey);
      await client.query(
        `UPDATE tenant_keys SET key_version = $3, kek_version = $4, wrapped_dek = $5, nonce = $6, ciphertext = $7,
           auth_tag = $8, fingerprint = $9, created_at = now(), updated_at = now(), deleted_at = NULL
         WHERE tenant_id = $1 AND provider = $2`,
        [
          tenantId,
          provider,
          keyVersion,
          envelope.kekVersion,
          envelope.wrappedDek,
          envelope.nonce,
          envelope.ciphertext,
          envelope.tag,
          fingerprint,
        ],
      );
      await client.query(
        `INSERT INTO key_breakers (tenant_id, provider, key_version) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, provider, key_version) DO NOTHING`,
        [tenantId, provider, keyVersion],
      );
      await writeAudit(client, {
        actor: caller.actor,
        action: 'store',
        tenantId,
        provider,
        keyVersion,
        outcome: 'stored',
        requestId: caller.requestId,
      });
      return { tenantId, provider, keyVersion, fingerprint };
    });
  }

  /** Erases the ciphertext (the version counter stays so a later key gets a fresh version). */
  async delete(tenantId: string, provider: Provider, caller: Caller): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ key_version: number }>(
        `UPDATE tenant_keys SET kek_version = NULL, wrapped_dek = NULL, nonce = NULL, ciphertext = NULL, auth_tag = NULL,
           deleted_at = now(), updated_at = now()
         WHERE tenant_id = $1 AND provider = $2 AND deleted_at IS NULL RETURNING key_version`,
        [tenantId, provider],
      );
      const keyVersion = rows[0]?.key_version ?? null;
      await writeAudit(client, {
        actor: caller.actor,
        action: 'delete',
        tenantId,
        provider,
        keyVersion,
        outcome: keyVersion === null ? 'not_found' : 'deleted',
        requestId: caller.requestId,
      });
      return keyVersion !== null;
    });
  }

  async metadata(tenantId: string, provider: Provider, caller: Caller): Promise<KeyMetadata | null> {
    const { rows } = await this.pool.query<
      BreakerColumns & { key_version: number; fingerprint: string; created_at: Date; db_now: Date }
    >(
      `SELECT k.key_version, k.fingerprint, k.created_at, b.state, b.reason, b.failures, b.opened_at, b.reopen_at,
              b.probe_until, now() AS db_now
       FROM tenant_keys k LEFT JOIN key_breakers b
         ON b.tenant_id = k.tenant_id AND b.provider = k.provider AND b.key_version = k.key_version
       WHERE k.tenant_id = $1 AND k.provider = $2 AND k.deleted_at IS NULL`,
      [tenantId, provider],
    );
    const row = rows[0];
    await writeAudit(this.pool, {
      actor: caller.actor,
      action: 'read_metadata',
      tenantId,
      provider,
      keyVersion: row?.key_version ?? null,
      outcome: row ? 'found' : 'not_found',
      requestId: caller.requestId,
    });
    if (!row) return null;
    const breaker = rowFromColumns(row);
    return {
      keyVersion: row.key_version,
      fingerprint: row.fingerprint,
      createdAt: row.created_at.toISOString(),
      breaker: { ...viewOf(breaker, row.db_now), consecutiveFailures: breaker.failures },
    };
  }

  /** The worker hot path. Decryption happens after the audited read; a refusal is audited separately. */
  async acquire(tenantId: string, provider: Provider, caller: Caller): Promise<AcquireResult> {
    // Named, so each connection plans this statement once instead of on every acquire.
    const { rows } = await this.pool.query<AcquireRow>({
      name: 'key_service_acquire_v1',
      text: ACQUIRE_SQL,
      values: [tenantId, provider, caller.actor, caller.requestId, this.probeLeaseSeconds],
    });
    const row = rows[0];
    if (!row || row.decision === 'not_found') return { kind: 'not_found' };
    if (row.decision === 'paused') {
      const view = viewOf(rowFromColumns(row), row.db_now);
      const reason = view.reason ?? 'rate_limited';
      // The snapshot can show a lapsed cool-down when another caller took the probe lease a moment
      // earlier; then the lease is what this caller waits for.
      const retryAfterSeconds =
        view.retryAfterSeconds ?? (reason === 'rate_limited' ? this.probeLeaseSeconds : undefined);
      return { kind: 'paused', reason, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
    }
    const keyVersion = row.key_version ?? 0;
    const envelope: StoredEnvelope = {
      kekVersion: row.kek_version ?? 0,
      wrappedDek: row.wrapped_dek ?? Buffer.alloc(0),
      nonce: row.nonce ?? Buffer.alloc(0),
      ciphertext: row.ciphertext ?? Buffer.alloc(0),
      tag: row.auth_tag ?? Buffer.alloc(0),
    };
    try {
      const apiKey = await this.cipher.decrypt(envelope, { tenantId, provider, keyVersion });
      return { kind: 'granted', keyVersion, apiKey, probe: row.decision === 'probe' };
    } catch (error) {
      await writeAudit(this.pool, {
        actor: caller.actor,
        action: 'acquire',
        tenantId,
        provider,
        keyVersion,
        outcome: 'decryption_refused',
        requestId: caller.requestId,
      });
      throw error;
    }
  }
}
