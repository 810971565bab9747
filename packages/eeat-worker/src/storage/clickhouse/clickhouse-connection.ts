/**
 * ClickHouse connection settings (read from `APEXSEO_CLICKHOUSE_*` by src/config/eeat-config.ts) and the client
 * built from them.
 */
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';

export const ClickHouseSettingsSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  username: z.string().min(1),
  password: z.string(),
  database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a plain identifier'),
});
export type ClickHouseSettings = z.infer<typeof ClickHouseSettingsSchema>;

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
