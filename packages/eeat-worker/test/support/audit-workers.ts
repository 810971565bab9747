/**
 * Runs the real eeat worker (both pools) in the test process against the harness's Temporal dev server and the
 * given stores, exactly as `src/main.ts` builds it (SDK createWorker, workflows bundled from source).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { ApexWorker, WorkerConfigInput } from '@apexseo/worker-sdk';
import { useServices } from '../../../../test/harness/index.js';
import { TASK_QUEUES } from '../../src/routing/plan-routing.js';
import { loadEeatWorkerConfig } from '../../src/config/eeat-config.js';
import { createEeatWorker } from '../../src/worker/eeat-worker.js';
import type { StoreClients } from '../../src/worker/store-clients.js';
import { AuditPageList } from '../../src/storage/clickhouse/audit-page-list.js';
import { LlmAnswerStore } from '../../src/storage/clickhouse/llm-answer-store.js';
import { PageResultsStore } from '../../src/storage/clickhouse/page-results-store.js';
import type { TestStores } from './stores.js';

export interface RunningWorkers {
  readonly client: Client;
  stop(): Promise<void>;
}

export function storeClientsOf(stores: TestStores): StoreClients {
  return {
    clickhouse: stores.clickhouse,
    clickhouseSettings: stores.clickhouseSettings,
    neo4j: stores.driver,
    results: new PageResultsStore(stores.clickhouse, stores.database),
    pageList: new AuditPageList(stores.clickhouse, stores.database),
    llmAnswers: new LlmAnswerStore(stores.clickhouse, stores.database),
    graph: stores.graph,
    migrate: () => Promise.reject(new Error('migrated by the test')),
    close: () => Promise.resolve(),
  };
}

export async function startAuditWorkers(
  stores: TestStores,
  queues: readonly string[] = Object.values(TASK_QUEUES),
  extraConfig: WorkerConfigInput = {},
): Promise<RunningWorkers> {
  const { temporal } = await useServices('temporal');
  // Heuristic audits never call the key service, but a worker refuses to start without a readable token file.
  const tokenDir = await mkdtemp(join(tmpdir(), 'eeat-worker-token-'));
  const tokenFile = join(tokenDir, 'token');
  await writeFile(tokenFile, 'unused-by-heuristic-audits');
  const workers: ApexWorker[] = [];
  for (const taskQueue of queues) {
    workers.push(
      await createEeatWorker({
        stores: storeClientsOf(stores),
        config: loadEeatWorkerConfig({
          sdk: {
            temporal: { address: temporal.address, namespace: temporal.namespace },
            taskQueue,
            keyService: { tokenFile },
            metrics: { port: 0, temporalPort: 0 },
            shutdownGraceSeconds: 1,
            ...extraConfig,
          },
        }),
        identity: `test-${taskQueue}`,
      }),
    );
  }
  const runs = workers.map((w) => w.run());
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: temporal.namespace });
  let stopped: Promise<void> | undefined;
  return {
    client,
    // Idempotent: a test may stop the workers early (to hand over to another process) and again in its clean-up.
    stop() {
      stopped ??= (async () => {
        await Promise.all(workers.map((w) => w.shutdown()));
        await Promise.allSettled(runs);
        await rm(tokenDir, { recursive: true, force: true });
        await connection.close();
      })();
      return stopped;
    },
  };
}
