/** Connection settings the harness hands out. Shapes are part of the team contract (see .tools/TEAM.md). */
export interface PostgresSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** `postgres://user:password@host:port/database` */
  url: string;
}

export interface TemporalSettings {
  /** gRPC frontend `host:port` */
  address: string;
  namespace: string;
}

export interface ClickHouseSettings {
  /** HTTP interface base URL, e.g. `http://127.0.0.1:8123` */
  url: string;
  username: string;
  password: string;
  database: string;
}

export interface Neo4jSettings {
  boltUrl: string;
  username: string;
  password: string;
}

export interface ServiceSettings {
  postgres: PostgresSettings;
  temporal: TemporalSettings;
  clickhouse: ClickHouseSettings;
  neo4j: Neo4jSettings;
}

export type ServiceName = keyof ServiceSettings;

export const serviceNames: readonly ServiceName[] = ['postgres', 'temporal', 'clickhouse', 'neo4j'];

/** A server started by the harness. `stop()` is idempotent and waits until every process of it is gone. */
export interface RunningService<S> {
  readonly settings: S;
  /** One line for humans: what runs where, e.g. `PostgreSQL 15.14 on 127.0.0.1:41234`. */
  readonly description: string;
  stop(): Promise<void>;
}

/** Temporal also restarts in place: same port, same database file, so workflows survive it. */
export interface RunningTemporal extends RunningService<TemporalSettings> {
  restart(): Promise<void>;
}

/** Neo4j also restarts in place: same Bolt port, same database folder and password, so the graph survives it. */
export interface RunningNeo4j extends RunningService<Neo4jSettings> {
  restart(): Promise<void>;
}
