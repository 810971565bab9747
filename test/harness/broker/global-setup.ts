import type { TestProject } from 'vitest/node';
import { ServiceRegistry } from '../services/registry.js';
import { PROVIDE_KEY } from './broker-protocol.js';
import { startBroker } from './broker-server.js';

/**
 * vitest globalSetup (root vitest.config.ts): starts the services broker before any test file and stops every
 * server it started after the last one. Nothing is started here eagerly: a run that needs no database starts
 * none.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const registry = new ServiceRegistry();
  const broker = await startBroker(registry);
  project.provide(PROVIDE_KEY, broker.address);

  return async () => {
    const used = registry.started;
    await broker.close();
    await registry.stopAll();
    process.stderr.write(
      `[harness] real services used in this run: ${used.length === 0 ? 'none' : used.join(', ')}; all stopped\n`,
    );
  };
}
