import type { z } from 'zod';
import { HarnessError } from '../errors.js';
import type { PostgresSettings, ServiceName, ServiceSettings } from '../settings.js';
import { createDatabaseOn } from '../services/postgres-databases.js';
import {
  brokerAddressSchema,
  brokerErrorSchema,
  PROVIDE_KEY,
  settingsSchemas,
  TOKEN_HEADER,
  type BrokerAddress,
} from './broker-protocol.js';

const cache = new Map<ServiceName, Promise<unknown>>();

async function brokerAddress(): Promise<BrokerAddress> {
  // Imported lazily so plain scripts can import the harness without vitest's runtime.
  const { inject } = await import('vitest');
  const parsed = brokerAddressSchema.safeParse(inject(PROVIDE_KEY));
  if (!parsed.success) {
    throw new HarnessError(
      'BROKER_UNAVAILABLE',
      'useServices() needs the harness globalSetup: run tests through the root vitest.config.ts (npx vitest run ...)',
    );
  }
  return parsed.data;
}

async function requestService<K extends ServiceName>(name: K): Promise<ServiceSettings[K]> {
  const broker = await brokerAddress();
  let response: Response;
  try {
    response = await fetch(`${broker.url}/services/${name}`, {
      method: 'POST',
      headers: { [TOKEN_HEADER]: broker.token },
    });
  } catch (error) {
    throw new HarnessError('BROKER_UNAVAILABLE', `harness broker at ${broker.url} unreachable`, {
      cause: error,
    });
  }
  const body: unknown = await response.json();
  if (!response.ok) {
    const failure = brokerErrorSchema.safeParse(body);
    throw new HarnessError(
      'SERVICE_START_FAILED',
      failure.success ? failure.data.error.message : `broker answered ${response.status} for ${name}`,
    );
  }
  // The schema for `name` parses exactly ServiceSettings[name]; zod cannot express that link by itself.
  return (settingsSchemas[name] as z.ZodType<unknown>).parse(body) as ServiceSettings[K];
}

/**
 * Connection settings for the real services a test needs. Each service is started once per test run, on the
 * first request from any test file, and stopped when the run ends.
 *
 * @example
 * const { postgres, temporal } = await useServices('postgres', 'temporal');
 */
export async function useServices<const N extends readonly ServiceName[]>(
  ...names: N
): Promise<{ [K in N[number]]: ServiceSettings[K] }> {
  const entries = await Promise.all(
    names.map(async (name) => {
      let pending = cache.get(name);
      if (pending === undefined) {
        pending = requestService(name);
        pending.catch(() => cache.delete(name));
        cache.set(name, pending);
      }
      return [name, await pending] as const;
    }),
  );
  return Object.fromEntries(entries) as { [K in N[number]]: ServiceSettings[K] };
}

/**
 * A fresh, empty database on the run's PostgreSQL (started if needed), for one test file's isolation.
 * `name` is a prefix (lowercase, digits, underscore); a random suffix is added.
 */
export async function createDatabase(name: string): Promise<PostgresSettings> {
  const { postgres } = await useServices('postgres');
  return createDatabaseOn(postgres, name);
}
