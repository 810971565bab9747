/**
 * Builds the E-E-A-T worker for one pool on the SDK's `createWorker`: the audit workflows, the audit activities
 * bound to the result stores, and the LLM rating activity bound by the SDK to the tenant's key.
 */
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { createWorker, type ApexWorker } from '@apexseo/worker-sdk';
import { createAuditActivities } from '../activities/audit-activities.js';
import { createAnalysisEngine } from '../activities/analysis-engine.js';
import { createPageRatingStore } from '../activities/page-rating-store.js';
import { createLlmRatingActivity } from '../activities/llm-rating-activity.js';
import { fromStores } from '../activities/result-store-access.js';
import type { EeatWorkerConfig } from '../config/eeat-config.js';
import type { StoreClients } from './store-clients.js';

export interface EeatWorkerOptions {
  readonly stores: StoreClients;
  /** The worker's configuration, read once by the caller (`loadEeatWorkerConfig`, src/config/eeat-config.ts). */
  readonly config: EeatWorkerConfig;
  /** Path of a prebuilt workflow bundle (`dist/workflow-bundle.js`); default: bundle `workflows/` at start-up. */
  readonly workflowBundlePath?: string;
  readonly identity?: string;
}

/** The workflow module next to this file: `.ts` when run from source (tests, tsx), `.js` when built. */
export function workflowsModulePath(): string {
  const js = fileURLToPath(new URL('../workflows/index.js', import.meta.url));
  return existsSync(js) ? js : fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
}

export async function createEeatWorker(options: EeatWorkerOptions): Promise<ApexWorker> {
  const { config } = options;
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
    privateHosts: config.privateHosts,
    analysis: config.analysis,
  });
  // One store for both rating paths: the site context is read once per audit and worker, whichever step rates.
  const ratings = createPageRatingStore({ results: options.stores.results, graph: options.stores.graph });
  const auditActivities = createAuditActivities({
    engine,
    results: options.stores.results,
    pageList: options.stores.pageList,
    graph: options.stores.graph,
    ratings,
  });
  const model = config.llmModel;
  const ratePageLlm = createLlmRatingActivity({ engine, ratings, ...(model ? { model } : {}) });
  let worker: ApexWorker;
  try {
    worker = await createWorker({
      config: config.sdk,
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
