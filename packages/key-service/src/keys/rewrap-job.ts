import type pg from 'pg';
import type { Logger } from 'pino';
import { withTransaction } from '../audit/audit-log.js';
import type { KekProvider } from '../kek/kek-provider.js';

export interface RewrapResult {
  readonly rewrapped: number;
  /** Rows whose data key could not be opened (tampered, unknown or retired KEK version). */
  readonly failed: number;
}

interface RowToRewrap {
  tenant_id: string;
  provider: string;
  key_version: number;
  kek_version: number;
  wrapped_dek: Buffer;
}

/**
 * Moves every stored data key to the KEK's current version. Only the wrapped data key changes: the
 * LLM key ciphertext, nonce and tag are left byte-for-byte as they are, so no LLM key is ever
 * decrypted (with aws-kms even the data key stays inside KMS, via ReEncrypt). Rows are walked in
 * key order, a batch per transaction, and locked rows (a concurrent PUT) are skipped for the next run.
 */
export async function rewrapDataKeys(
  pool: pg.Pool,
  kek: KekProvider,
  logger: Logger,
  batchSize = 100,
): Promise<RewrapResult> {
  let rewrapped = 0;
  let failed = 0;
  let after: [string, string] = ['', ''];
  for (;;) {
    const batch = await withTransaction(pool, async (client) => {
      const { rows } = await client.query<RowToRewrap>(
        `SELECT tenant_id, provider, key_version, kek_version, wrapped_dek FROM tenant_keys
         WHERE deleted_at IS NULL AND kek_version < $1 AND (tenant_id, provider) > ($2, $3)
         ORDER BY tenant_id, provider LIMIT $4 FOR UPDATE SKIP LOCKED`,
        [kek.currentVersion, after[0], after[1], batchSize],
      );
      for (const row of rows) {
        const context = { tenantId: row.tenant_id, provider: row.provider, keyVersion: row.key_version };
        try {
          const moved = await kek.rewrapDataKey(row.wrapped_dek, row.kek_version, context);
          await client.query(
            `UPDATE tenant_keys SET wrapped_dek = $5, kek_version = $6, updated_at = now()
             WHERE tenant_id = $1 AND provider = $2 AND key_version = $3 AND kek_version = $4`,
            [row.tenant_id, row.provider, row.key_version, row.kek_version, moved.wrapped, moved.kekVersion],
          );
          rewrapped += 1;
        } catch (error) {
          failed += 1;
          logger.error(
            {
              provider: row.provider,
              keyVersion: row.key_version,
              kekVersion: row.kek_version,
              errType: (error as { type?: string }).type ?? 'unknown',
            },
            'data key could not be re-wrapped',
          );
        }
      }
      return rows;
    });
    const last = batch.at(-1);
    if (!last || batch.length < batchSize) break;
    after = [last.tenant_id, last.provider];
  }
  logger.info(
    { event: 'rewrap_done', rewrapped, failed, kekVersion: kek.currentVersion },
    're-wrap finished',
  );
  return { rewrapped, failed };
}
