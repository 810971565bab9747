/**
 * The E-E-A-T worker binary: one binary for both pools, the pool chosen by `APEXSEO_TASK_QUEUE`
 * (`eeat-priority` or `eeat-standard`). The composition root: the configuration is read here, once
 * (src/config/eeat-config.ts), and handed down. Stores from `APEXSEO_CLICKHOUSE_*` / `APEXSEO_NEO4J_*`;
 * `APEXSEO_MIGRATE_ON_START=true` applies the store migrations first; `APEXSEO_WORKFLOW_BUNDLE` (or a
 * `workflow-bundle.js` next to this file) loads the prebuilt workflow bundle instead of running webpack.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadEeatWorkerConfig } from './config/eeat-config.js';
import { createEeatWorker } from './worker/eeat-worker.js';
import { openStoreClients } from './worker/store-clients.js';

function bundleBeside(): string | undefined {
  const beside = fileURLToPath(new URL('./workflow-bundle.js', import.meta.url));
  return existsSync(beside) ? beside : undefined;
}

async function main(): Promise<void> {
  const config = loadEeatWorkerConfig();
  const stores = openStoreClients(config.stores);
  try {
    if (config.migrateOnStart) await stores.migrate();
    const workflowBundlePath = config.workflowBundlePath ?? bundleBeside();
    const worker = await createEeatWorker({
      stores,
      config,
      ...(workflowBundlePath ? { workflowBundlePath } : {}),
    });
    await worker.run();
  } finally {
    await stores.close();
  }
}

try {
  await main();
} catch (error) {
  const typed = error as { type?: string; message?: string };
  process.stderr.write(
    `eeat-worker: ${typed.type ? `${typed.type}: ` : ''}${typed.message ?? String(error)}\n`,
  );
  process.exitCode = 1;
}
