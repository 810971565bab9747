import type {
  ClickHouseSettings,
  PostgresSettings,
  RunningNeo4j,
  RunningService,
  RunningTemporal,
} from '../settings.js';
import { startClickHouse } from './clickhouse.js';
import { startNeo4j } from './neo4j.js';
import { startPostgres } from './postgres.js';
import { startTemporal } from './temporal.js';

/** The four servers the platform runs on, started together. */
export interface RunningPlatform {
  readonly postgres: RunningService<PostgresSettings>;
  readonly temporal: RunningTemporal;
  readonly clickhouse: RunningService<ClickHouseSettings>;
  readonly neo4j: RunningNeo4j;
  /** One line per server: what runs where. */
  readonly descriptions: readonly string[];
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL, the Temporal dev server, ClickHouse and Neo4j in parallel (each in its own folder on free
 * loopback ports). If one fails to start, the others are stopped before the error is thrown.
 */
export async function startPlatformServices(): Promise<RunningPlatform> {
  const starts = [startPostgres(), startTemporal(), startClickHouse(), startNeo4j()] as const;
  const settled = await Promise.allSettled(starts);
  const stopAll = async (): Promise<void> => {
    const running = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    await Promise.all(running.map((service) => service.stop().catch(() => undefined)));
  };
  const failure = settled.find((s) => s.status === 'rejected');
  if (failure) {
    await stopAll();
    throw failure.reason;
  }
  const [postgres, temporal, clickhouse, neo4j] = await Promise.all(starts);
  return {
    postgres,
    temporal,
    clickhouse,
    neo4j,
    descriptions: [postgres, temporal, clickhouse, neo4j].map((s) => s.description),
    stop: stopAll,
  };
}
