import type { RunningService, ServiceName, ServiceSettings } from '../settings.js';
import { startClickHouse } from './clickhouse.js';
import { startNeo4j } from './neo4j.js';
import { startPostgres } from './postgres.js';
import { startTemporal } from './temporal.js';

type Starters = { [K in ServiceName]: () => Promise<RunningService<ServiceSettings[K]>> };

const starters: Starters = {
  postgres: startPostgres,
  temporal: startTemporal,
  clickhouse: startClickHouse,
  neo4j: startNeo4j,
};

export interface ServiceRegistryOptions {
  /** Where progress lines go. Default: stderr with a `[harness]` prefix. */
  log?: (line: string) => void;
}

/**
 * Starts each service at most once, on first request, and stops all of them together. A failed start is not
 * cached, so a later request tries again with fresh ports and directories.
 */
export class ServiceRegistry {
  readonly #running = new Map<ServiceName, Promise<RunningService<unknown>>>();
  readonly #log: (line: string) => void;

  constructor(options: ServiceRegistryOptions = {}) {
    this.#log = options.log ?? ((line) => process.stderr.write(`[harness] ${line}\n`));
  }

  async ensure<K extends ServiceName>(name: K): Promise<RunningService<ServiceSettings[K]>> {
    let pending = this.#running.get(name);
    if (pending === undefined) {
      const startedAt = performance.now();
      this.#log(`starting ${name} ...`);
      pending = starters[name]().then(
        (service) => {
          const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
          this.#log(`ready in ${seconds} s: ${service.description}`);
          return service;
        },
        (error: unknown) => {
          this.#running.delete(name);
          this.#log(`${name} failed to start: ${error instanceof Error ? error.message : String(error)}`);
          throw error;
        },
      );
      this.#running.set(name, pending);
    }
    // The map is keyed by name, so the entry for `name` always holds that service's settings type.
    return (await pending) as RunningService<ServiceSettings[K]>;
  }

  /** Names of the services started so far (running or starting). */
  get started(): ServiceName[] {
    return [...this.#running.keys()];
  }

  async stopAll(): Promise<void> {
    const entries = [...this.#running.entries()];
    this.#running.clear();
    await Promise.all(
      entries.map(async ([name, pending]) => {
        const service = await pending.catch(() => undefined);
        if (service === undefined) return;
        await service.stop();
        this.#log(`stopped ${name}`);
      }),
    );
  }
}
