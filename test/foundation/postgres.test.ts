import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, HarnessError, useServices, type PostgresSettings } from '../harness/index.js';

async function withClient<T>(settings: PostgresSettings, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: settings.url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

describe('PostgreSQL (harness)', () => {
  let postgres: PostgresSettings;

  beforeAll(async () => {
    ({ postgres } = await useServices('postgres'));
  });

  it('should answer queries as a password-authenticated, non-superuser app role over TCP', async () => {
    const row = await withClient(postgres, async (client) => {
      const result = await client.query<{ user: string; superuser: boolean; version: string }>(
        'SELECT current_user AS user, rolsuper AS superuser, version() FROM pg_roles WHERE rolname = current_user',
      );
      return result.rows[0];
    });
    expect(row).toMatchObject({ user: postgres.user, superuser: false });
    console.info(`[foundation] PostgreSQL ${postgres.host}:${postgres.port}: ${row?.version}`);
  });

  it('should reject a wrong password', async () => {
    const wrong = { ...postgres, url: postgres.url.replace(`:${postgres.password}@`, ':not-the-password@') };
    await expect(withClient(wrong, (client) => client.query('SELECT 1'))).rejects.toThrow(
      /password authentication failed/,
    );
  });

  it('should run the server as the postgres OS user, never as root', async () => {
    // Read the backend's owner while the connection (and so the backend process) is still alive.
    const status = await withClient(postgres, async (client) => {
      const result = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      return readFile(`/proc/${result.rows[0]?.pid}/status`, 'utf8');
    });
    const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
    const { stdout } = await promisify(execFile)('id', ['-u', 'postgres']);
    expect(uid).toBe(stdout.trim());
  });

  it('should give each createDatabase call its own empty database', async () => {
    const first = await createDatabase('foundation');
    const second = await createDatabase('foundation');
    expect(first.database).not.toBe(second.database);
    await withClient(first, (client) => client.query('CREATE TABLE marker (id int)'));
    const tables = await withClient(second, async (client) => {
      const result = await client.query(
        "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'marker'",
      );
      return result.rows[0] as { n: number };
    });
    expect(tables.n).toBe(0);
  });

  it('should refuse a database name that is not a plain lowercase identifier', async () => {
    await expect(createDatabase('Robert"); DROP')).rejects.toSatisfy(
      (error: unknown) =>
        error instanceof HarnessError &&
        error.type === 'INVALID_ARGUMENT' &&
        /name must match/.test(error.message),
    );
  });
});
