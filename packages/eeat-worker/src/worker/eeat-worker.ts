/**
 * Builds the E-E-A-T worker for one pool on the SDK's `createWorker`: the audit workflows, the audit activities
 * bound to the result stores, and the LLM rating activity bound by the SDK to the tenant's key.
 */
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { createWorker, loadWorkerConfig, type ApexWorker, type WorkerConfigInput } from '@apexseo/worker-sdk';
import { createAuditActivities } from '../activities/audit-activities.js';
import { createAnalysisEngine } from '../activities/analysis-engine.js';
import type { PageAnalysisPoolOptions } from '../analysis/page-analysis-pool.js';
import { PrivateHostAllowance } from '../fetch/private-host-allowance.js';
import { createLlmRatingActivity } from '../activities/llm-rating-activity.js';
import { fromStores } from '../activities/result-store-access.js';
import { TASK_QUEUES } from '../routing/plan-routing.js';
import type { StoreClients } from './store-clients.js';

export class WorkerSetupError extends Error {
  readonly type = 'WORKER_SETUP_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'WorkerSetupError';
  }
}

export interface EeatWorkerOptions {
  readonly stores: StoreClients;
  /** SDK configuration overrides (the rest comes from `APEXSEO_*`). */
  readonly config?: WorkerConfigInput;
  /** Path of a prebuilt workflow bundle (`dist/workflow-bundle.js`); default: bundle `workflows/` at start-up. */
  readonly workflowBundlePath?: string;
  readonly identity?: string;
  /**
   * Private destinations audits may fetch (demo and tests only). @default `APEXSEO_FETCH_PRIVATE_HOSTS`, else none
   */
  readonly privateHosts?: PrivateHostAllowance;
  /** Analysis threads and the per-page budget. @default `APEXSEO_ANALYSIS_THREADS`, `APEXSEO_PAGE_DEADLINE_MS`, `APEXSEO_PAGE_HEAP_MB` */
  readonly analysis?: PageAnalysisPoolOptions;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new WorkerSetupError(`${name}: must be a positive integer (got ${JSON.stringify(raw)})`);
  return value;
}

/** The analysis pool's settings from `APEXSEO_ANALYSIS_THREADS`, `APEXSEO_PAGE_DEADLINE_MS`, `APEXSEO_PAGE_HEAP_MB`. */
export function analysisOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): PageAnalysisPoolOptions {
  const threads = positiveInteger(env, 'APEXSEO_ANALYSIS_THREADS');
  const deadlineMs = positiveInteger(env, 'APEXSEO_PAGE_DEADLINE_MS');
  const heapMb = positiveInteger(env, 'APEXSEO_PAGE_HEAP_MB');
  return {
    ...(threads !== undefined ? { threads } : {}),
    budget: {
      ...(deadlineMs !== undefined ? { deadlineMs } : {}),
      ...(heapMb !== undefined ? { heapMb } : {}),
    },
  };
}

/** The workflow module next to this file: `.ts` when run from source (tests, tsx), `.js` when built. */
export function workflowsModulePath(): string {
  const js = fileURLToPath(new URL('../workflows/index.js', import.meta.url));
  return existsSync(js) ? js : fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
}

export async function createEeatWorker(options: EeatWorkerOptions): Promise<ApexWorker> {
  const config = loadWorkerConfig(options.config ?? {});
  const pools: readonly string[] = Object.values(TASK_QUEUES);
  if (!pools.includes(config.taskQueue)) {
    throw new WorkerSetupError(
      `APEXSEO_TASK_QUEUE: must be one of ${pools.join(', ')} (got ${JSON.stringify(config.taskQueue)})`,
    );
  }
  const { llmAnswers } = options.stores;
  // The shared answer cache: a read or write that fails is a store outage the rating step waits out.
  const engine = createAnalysisEngine({
    rubricCache: (tenantId) => {
      const cache = llmAnswers.forTenant(tenantId);
      return {
        get: (key) => fromStores(() => cache.get(key)),
        set: (key, value) => fromStores(() => cache.set(key, value)),
      };
    },
    privateHosts: options.privateHosts ?? PrivateHostAllowance.fromEnv(),
    analysis: options.analysis ?? analysisOptionsFromEnv(),
  });
  const audit = createAuditActivities({
    engine,
    results: options.stores.results,
    pageList: options.stores.pageList,
    graph: options.stores.graph,
  });
  const { loadRatingInputs, recordRated, ...auditActivities } = audit;
  const model = process.env.APEXSEO_LLM_MODEL;
  const ratePageLlm = createLlmRatingActivity({
    engine,
    loadRatingInputs,
    recordRated,
    ...(model ? { model } : {}),
  });
  let worker: ApexWorker;
  try {
    worker = await createWorker({
      config,
      activities: { ...auditActivities, ratePageLlm },
      ...(options.workflowBundlePath
        ? { workflowBundle: { codePath: options.workflowBundlePath } }
        : { workflowsPath: workflowsModulePath() }),
      ...(options.identity ? { identity: options.identity } : {}),
    });
  } catch (err) {
    await engine.close();
    throw err;
  }
  // The analysis threads stop when the worker stops.
  return {
    ...worker,
    async run() {
      try {
        await worker.run();
      } finally {
        await engine.close();
      }
    },
  };
}
