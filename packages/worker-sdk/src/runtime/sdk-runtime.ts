import type { Client } from '@temporalio/client';
import { pino, type Logger } from 'pino';
import { Agent } from 'undici';
import { TenantBreaker } from '../breaker/tenant-breaker.js';
import { pauseTenantWorkflows } from '../client/tenant-workflows.js';
import type { WorkerConfig } from '../config/worker-config.js';
import { KeyServiceClient } from '../keys/key-service-client.js';
import { ServiceAccountToken } from '../keys/service-account-token.js';
import type { LlmDependencies } from '../llm/tenant-llm-client.js';
import { WorkerMetrics } from '../metrics/worker-metrics.js';

/**
 * The long-lived parts that LLM activities share within one worker process: the key-service client, the breaker,
 * the metrics registry, the provider connection pool and the Temporal client used to pause a tenant's workflows.
 * `createWorker` builds one; a hand-rolled `Worker` can build its own with {@link createSdkRuntime}.
 */
export interface SdkRuntime extends LlmDependencies {
  readonly config: WorkerConfig;
  /** Waits for background breaker reports and closes HTTP pools. */
  close(): Promise<void>;
}

export interface SdkRuntimeOptions {
  readonly config: WorkerConfig;
  /** Temporal client used by the single caller that trips a breaker to pause the tenant's workflows. */
  readonly client: Client;
  readonly logger?: Logger;
  /** Reuse an existing registry holder (e.g. to add your own metrics to the same `/metrics`). */
  readonly metrics?: WorkerMetrics;
}

/** Default logger: JSON to stdout, with secret-bearing paths censored as a second line of defence. */
export function createSdkLogger(): Logger {
  return pino({
    name: 'apexseo-worker',
    redact: {
      paths: ['apiKey', '*.apiKey', 'headers.authorization', 'headers["x-api-key"]', 'authorization'],
      censor: '[REDACTED]',
    },
  });
}

export function createSdkRuntime(options: SdkRuntimeOptions): SdkRuntime {
  const { config, client } = options;
  const logger = options.logger ?? createSdkLogger();
  const keyService = new KeyServiceClient({
    url: config.keyService.url,
    token: new ServiceAccountToken(config.keyService.tokenFile),
    timeoutMs: config.keyService.timeoutMs,
    maxRetries: config.keyService.maxRetries,
  });
  const metrics =
    options.metrics ??
    new WorkerMetrics({
      tenantLabels: { limit: config.metrics.tenantLabelLimit, plans: config.metrics.tenantLabelPlans },
    });
  const breaker = new TenantBreaker({
    keyService,
    logger,
    onTripped: async (tenantId, provider, reason) => {
      await pauseTenantWorkflows(client, { tenantId, provider, reason });
    },
  });
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connectTimeout: 10_000 });
  return {
    config,
    keyService,
    breaker,
    metrics,
    dispatcher,
    logger,
    settings: config.llm,
    async close() {
      await breaker.drain();
      await Promise.all([keyService.close(), dispatcher.close()]);
    },
  };
}
