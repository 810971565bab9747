/**
 * Failure types of the platform's own parts, not of the page, the site or the tenant's provider. Plain constants:
 * imported by workflow code (the deterministic sandbox) and by the activities that raise them.
 */

/** A result store (ClickHouse, Neo4j) failed under a call: raised by `fromStores` (result-store-access.ts). */
export const RESULT_STORE_UNAVAILABLE = 'ResultStoreUnavailable';

/**
 * The key service down, answering 5xx or refusing the worker's token (`@apexseo/worker-sdk`), and an unavailable
 * result store. Together with a heartbeat timeout (a lost worker) they delay a page step; they never fail a page.
 */
export const PLATFORM_FAILURE_TYPES: ReadonlySet<string> = new Set([
  'KeyServiceError',
  'KeyServiceUnauthorized',
  RESULT_STORE_UNAVAILABLE,
]);

/**
 * Raised by the workflow when a page step lost its worker on every attempt of several rounds: the page's failure
 * (`error: too complex`), not an outage (see `MAX_ROUNDS_LOST_TO_WORKERS` in platform-outages.ts).
 */
export const PAGE_STOPS_WORKERS = 'PageStopsWorkers';
