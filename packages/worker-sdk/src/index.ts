/**
 * `@apexseo/worker-sdk`: what every ApexSEO Temporal worker needs to call tenant LLMs safely — runtime key
 * acquisition from the key service, the fleet-wide key breaker, tenant pause, metrics and worker wiring.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { createWorker, defineLlmActivity, loadWorkerConfig } from '@apexseo/worker-sdk';
 *
 * export const scoreContent = defineLlmActivity({
 *   input: z.object({ text: z.string() }),
 *   async run(ctx, input) {
 *     const { data } = await ctx.llm.structured({
 *       model: 'gpt-4o-mini',
 *       schemaName: 'score',
 *       schema: z.object({ score: z.number().min(0).max(100) }),
 *       messages: [{ role: 'user', content: `Score this page: ${input.text}` }],
 *     });
 *     return data;
 *   },
 * });
 *
 * const worker = await createWorker({
 *   config: loadWorkerConfig(),
 *   activities: { scoreContent },
 *   workflowsPath: new URL('./workflows.js', import.meta.url).pathname,
 * });
 * await worker.run();
 * ```
 * Workflow-side helpers live in `@apexseo/worker-sdk/workflow`. The exports at the end, tagged `@internal`, are the
 * low-level parts `createWorker` builds and wires for you.
 */
export { loadWorkerConfig, WORKER_CONFIG_ENV } from './config/worker-config.js';
export type { WorkerConfig, WorkerConfigInput } from './config/worker-config.js';
export { ConfigError, KeyNotFoundError, KeyServiceError, SdkError, TenantPausedError } from './errors.js';
export type { ConfigIssue, SdkErrorType } from './errors.js';

export { createWorker } from './temporal/create-worker.js';
export type { ApexWorker, CreateWorkerOptions } from './temporal/create-worker.js';
export { bundleWorkflows } from './temporal/bundle-workflows.js';
export type { BundleWorkflowsOptions } from './temporal/bundle-workflows.js';

export {
  bindActivities,
  defineLlmActivity,
  llmActivityTenantSchema,
} from './activities/define-llm-activity.js';
export type {
  BoundActivities,
  LlmActivity,
  LlmActivityContext,
  LlmActivityDefinition,
  LlmActivityInput,
} from './activities/define-llm-activity.js';
export { createSdkLogger, createSdkRuntime } from './runtime/sdk-runtime.js';
export type { SdkRuntime, SdkRuntimeOptions } from './runtime/sdk-runtime.js';
export { heartbeatWhileRunning } from './activities/heartbeat-while-running.js';

export { TenantKey } from './keys/tenant-key.js';
export type { LlmProvider, TenantPlan } from './keys/tenant-key.js';

export { TenantLlmClient } from './llm/tenant-llm-client.js';
export type { LlmDependencies, LlmSettings, TenantRef } from './llm/tenant-llm-client.js';
export { LlmCallError } from './llm/llm-call-error.js';
export type {
  ChatMessage,
  ChatRequest,
  ChatResult,
  LlmClient,
  StructuredRequest,
  StructuredResult,
  TokenUsage,
} from './llm/llm-types.js';

export { WorkerMetrics } from './metrics/worker-metrics.js';
export type { LlmErrorClass, QueueKind } from './metrics/worker-metrics.js';

export { pauseTenantWorkflows, resumeTenantWorkflows } from './client/tenant-workflows.js';
export type { TenantSignalResult } from './client/tenant-workflows.js';
export {
  KEY_NOT_FOUND_FAILURE,
  TENANT_KEY_STATUS_ACTIVITY,
  TENANT_PAUSED_FAILURE,
  TENANT_PAUSED_SIGNAL,
  TENANT_RESUMED_SIGNAL,
} from './workflow/tenant-pause-contract.js';
export type { TenantSignal } from './workflow/tenant-pause-contract.js';

// Low-level parts: `createWorker` (and `pauseTenantWorkflows` / `resumeTenantWorkflows`) build these for you. They
// stay exported for hand-rolled workers and tests; reach for the exports above first.
/** @internal */
export { sdkWorkflowModulePath } from './temporal/workflow-module-path.js';
/** @internal */
export { connectTemporal, installTemporalRuntime } from './temporal/temporal-connection.js';
/** @internal */
export { pinoTemporalLogger } from './temporal/pino-temporal-logger.js';
/** @internal */
export { sdkActivities } from './activities/tenant-status-activity.js';
/** @internal */
export { toApplicationFailure } from './activities/application-failure.js';
/** @internal */
export { KeyServiceClient } from './keys/key-service-client.js';
/** @internal */
export type {
  AcquiredKey,
  KeyOutcome,
  KeyServiceClientOptions,
  KeyStatus,
  ReportResult,
} from './keys/key-service-client.js';
/** @internal */
export { ServiceAccountToken } from './keys/service-account-token.js';
/** @internal */
export { TenantBreaker } from './breaker/tenant-breaker.js';
/** @internal */
export type { OnBreakerTripped, TenantBreakerOptions } from './breaker/tenant-breaker.js';
/** @internal */
export { classifyProviderError, retryAfterSeconds } from './llm/provider-http.js';
/** @internal */
export { ANTHROPIC_VERSION } from './llm/anthropic-transport.js';
/** @internal */
export { OVERFLOW_TENANT_LABEL, TenantLabeler } from './metrics/tenant-label.js';
/** @internal */
export type { TenantLabelOptions } from './metrics/tenant-label.js';
/** @internal */
export { MetricsServer } from './metrics/metrics-server.js';
/** @internal */
export type { MetricsServerOptions } from './metrics/metrics-server.js';
/** @internal */
export { signalTenantWorkflows, tenantWorkflowsQuery } from './client/tenant-workflows.js';
