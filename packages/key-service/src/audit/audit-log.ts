import type pg from 'pg';

/** One audit row: who, which tenant, what, outcome. Never a key, ciphertext or token. */
export interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly tenantId?: string | null;
  readonly provider?: string | null;
  readonly keyVersion?: number | null;
  readonly outcome: string;
  readonly requestId?: string | null;
}

export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export async function writeAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor, action, tenant_id, provider, key_version, outcome, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      entry.actor,
      entry.action,
      entry.tenantId ?? null,
      entry.provider ?? null,
      entry.keyVersion ?? null,
      entry.outcome,
      entry.requestId ?? null,
    ],
  );
}

export async function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
