/**
 * ClickHouse connection settings from the environment (`APEXSEO_CLICKHOUSE_*`, see docs/architecture.md) and
 * the client built from them.
 */
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { StorageConfigError } from '../storage-errors.js';

export const ClickHouseSettingsSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  username: z.string().min(1),
  password: z.string(),
  database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a plain identifier'),
});
export type ClickHouseSettings = z.infer<typeof ClickHouseSettingsSchema>;

export function clickHouseSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ClickHouseSettings {
  const parsed = ClickHouseSettingsSchema.safeParse({
    url: env.APEXSEO_CLICKHOUSE_URL ?? 'http://127.0.0.1:8123',
    username: env.APEXSEO_CLICKHOUSE_USER ?? 'default',
    password: env.APEXSEO_CLICKHOUSE_PASSWORD ?? '',
    database: env.APEXSEO_CLICKHOUSE_DATABASE ?? 'apexseo',
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StorageConfigError(
      `APEXSEO_CLICKHOUSE_${String(issue?.path[0] ?? '').toUpperCase()}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** A client that talks to the server without a default database, so migrations can create it. */
export function createClickHouseClient(settings: ClickHouseSettings): ClickHouseClient {
  return createClient({
    url: settings.url,
    username: settings.username,
    password: settings.password,
    request_timeout: 30_000,
    // Newer servers accept these; the 18.x server rejects unknown settings, so none are sent by default.
    clickhouse_settings: {},
  });
}
