/**
 * Services harness: real PostgreSQL, Temporal, ClickHouse and Neo4j on loopback for tests, the demo and
 * benchmarks.
 *
 * In a vitest test:
 * ```ts
 * import { useServices, createDatabase } from '../../test/harness/index.js';
 * const { temporal, clickhouse } = await useServices('temporal', 'clickhouse');
 * const db = await createDatabase('key_service');
 * ```
 * In a script: `const pg = await startPostgres(); ...; await pg.stop();`
 */
export { useServices, createDatabase } from './broker/use-services.js';
export { startPostgres } from './services/postgres.js';
export { createDatabaseOn } from './services/postgres-databases.js';
export { startTemporal, temporalSearchAttributes, temporalDynamicConfig } from './services/temporal.js';
export type { StartTemporalOptions } from './services/temporal.js';
export { startClickHouse } from './services/clickhouse.js';
export { startNeo4j } from './services/neo4j.js';
export { startPlatformServices } from './services/platform.js';
export type { RunningPlatform } from './services/platform.js';
export { freePort } from './process/free-port.js';
export { runToExit } from './process/run-to-exit.js';
export type { ExitedProcess } from './process/run-to-exit.js';
export { waitUntil, WaitTimeoutError } from './process/wait-until.js';
export type { WaitUntilOptions } from './process/wait-until.js';
export { ServiceRegistry } from './services/registry.js';
export type { ServiceRegistryOptions } from './services/registry.js';
export { HarnessError } from './errors.js';
export type { HarnessErrorType } from './errors.js';
export { serviceNames } from './settings.js';
export type {
  ClickHouseSettings,
  Neo4jSettings,
  PostgresSettings,
  RunningNeo4j,
  RunningService,
  RunningTemporal,
  ServiceName,
  ServiceSettings,
  TemporalSettings,
} from './settings.js';
