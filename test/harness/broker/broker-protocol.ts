import { z } from 'zod';
import { serviceNames } from '../settings.js';

/** What globalSetup hands to test workers through vitest's provide/inject. */
export const brokerAddressSchema = z.object({ url: z.url(), token: z.string().min(16) });
export type BrokerAddress = z.infer<typeof brokerAddressSchema>;

export const PROVIDE_KEY = 'apexseoHarnessBroker';
export const TOKEN_HEADER = 'x-apexseo-harness-token';

export const serviceNameSchema = z.enum(serviceNames as [string, ...string[]]);

const port = z.number().int().min(1).max(65535);
export const settingsSchemas = {
  postgres: z.object({
    host: z.string(),
    port,
    user: z.string(),
    password: z.string(),
    database: z.string(),
    url: z.string(),
  }),
  temporal: z.object({ address: z.string(), namespace: z.string() }),
  clickhouse: z.object({ url: z.string(), username: z.string(), password: z.string(), database: z.string() }),
  neo4j: z.object({ boltUrl: z.string(), username: z.string(), password: z.string() }),
} as const;

export const brokerErrorSchema = z.object({ error: z.object({ type: z.string(), message: z.string() }) });

declare module 'vitest' {
  export interface ProvidedContext {
    [PROVIDE_KEY]: BrokerAddress;
  }
}
