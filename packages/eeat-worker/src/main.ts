/**
 * The E-E-A-T worker binary: one binary for both pools, the pool chosen by `APEXSEO_TASK_QUEUE`
 * (`eeat-priority` or `eeat-standard`). Stores from `APEXSEO_CLICKHOUSE_*` / `APEXSEO_NEO4J_*`;
 * `APEXSEO_MIGRATE_ON_START=true` applies the store migrations first; `APEXSEO_WORKFLOW_BUNDLE` (or a
 * `workflow-bundle.js` next to this file) loads the prebuilt workflow bundle instead of running webpack.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createEeatWorker } from './worker/eeat-worker.js';
import { openStoreClients } from './worker/store-clients.js';

function bundlePath(): string | undefined {
  const explicit = process.env.APEXSEO_WORKFLOW_BUNDLE;
  if (explicit) return explicit;
  const beside = fileURLToPath(new URL('./workflow-bundle.js', import.meta.url));
  return existsSync(beside) ? beside : undefined;
}

async function main(): Promise<void> {
  const stores = openStoreClients();
  try {
    if (process.env.APEXSEO_MIGRATE_ON_START === 'true') await stores.migrate();
    const workflowBundlePath = bundlePath();
    const worker = await createEeatWorker({ stores, ...(workflowBundlePath ? { workflowBundlePath } : {}) });
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
