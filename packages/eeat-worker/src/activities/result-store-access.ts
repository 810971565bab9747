/**
 * How the audit's activities reach the result stores (ClickHouse, Neo4j). A store that fails under a call (down,
 * restarting, unreachable, timing out) is an outage of the platform, not a property of the page: the call fails
 * its attempt with the retryable `ResultStoreUnavailable`, which the audit workflow waits out instead of recording
 * the page as failed (see `untilPlatformRecovers` in workflows/platform-outages.ts).
 */
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { Neo4jError } from 'neo4j-driver';
import { InvalidKeyError } from '../storage/storage-errors.js';
import { RESULT_STORE_UNAVAILABLE } from '../workflows/platform-failure-types.js';

/**
 * Runs a read or write of the result stores. Passes through unchanged, so they keep counting as the page's own
 * failure: Temporal failures raised on purpose (e.g. `FactsMissing`) or a cancellation; a key refused before it
 * reaches a store (`InvalidKeyError`); and a statement or its data refused by Neo4j
 * (`Neo.ClientError.Statement.*`, `Neo.ClientError.Schema.*`), which a retry of the same page cannot change.
 */
export async function fromStores<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!isStoreOutage(err)) throw err;
    const cause = err instanceof Error ? err : new Error(String(err));
    throw ApplicationFailure.create({
      type: RESULT_STORE_UNAVAILABLE,
      message: `result store: ${cause.message}`.slice(0, 500),
      cause,
    });
  }
}

function isStoreOutage(err: unknown): boolean {
  if (err instanceof TemporalFailure || err instanceof InvalidKeyError) return false;
  if (err instanceof Neo4jError) return !/^Neo\.ClientError\.(Statement|Schema)\./.test(err.code);
  // Everything else a store client throws (connection refused or reset, request timeout, server errors, which the
  // 18.x ClickHouse server does not type) is treated as the store's.
  return true;
}
