import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { KeyOutcome } from '../keys/key-service-client.js';
import type { LlmProvider, TenantPlan } from '../keys/tenant-key.js';
import { TenantLabeler, type TenantLabelOptions } from './tenant-label.js';

/** `error_class` values of `llm_api_errors_total`: the key-service outcomes plus `invalid_response`. */
export type LlmErrorClass = Exclude<KeyOutcome, 'success'> | 'invalid_response';

/** Queue-latency kinds of `worker_queue_latency`. */
export type QueueKind = 'workflow' | 'activity';

/**
 * The worker's prom-client metrics, one registry per worker (names and labels in docs/architecture.md).
 * Served on `/metrics` by the worker's metrics server together with Node process metrics.
 */
export class WorkerMetrics {
  readonly registry: Registry;
  private readonly workflowFailed: Counter<'error_type' | 'workflow_type' | 'task_queue'>;
  private readonly queueLatency: Histogram<'task_queue' | 'kind'>;
  private readonly llmRequests: Counter<'tenant' | 'plan' | 'provider'>;
  private readonly llmErrors: Counter<'tenant' | 'plan' | 'provider' | 'error_class'>;
  private readonly tenants: TenantLabeler;

  constructor(options: { tenantLabels?: TenantLabelOptions; processMetrics?: boolean } = {}) {
    this.registry = new Registry();
    this.tenants = new TenantLabeler(options.tenantLabels);
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.workflowFailed = new Counter({
      name: 'temporal_workflow_failed_count',
      help: 'Workflow executions that failed, by the failure type that ended them.',
      labelNames: ['error_type', 'workflow_type', 'task_queue'],
      registers: [this.registry],
    });
    this.queueLatency = new Histogram({
      name: 'worker_queue_latency',
      help: 'Seconds from a task being scheduled to a worker starting it.',
      labelNames: ['task_queue', 'kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [this.registry],
    });
    this.llmRequests = new Counter({
      name: 'llm_api_requests_total',
      help: 'Logical LLM API calls made with a tenant key.',
      labelNames: ['tenant', 'plan', 'provider'],
      registers: [this.registry],
    });
    this.llmErrors = new Counter({
      name: 'llm_api_errors_total',
      help: 'Logical LLM API calls that failed, by error class.',
      labelNames: ['tenant', 'plan', 'provider', 'error_class'],
      registers: [this.registry],
    });
  }

  recordWorkflowFailed(errorType: string, workflowType: string, taskQueue: string): void {
    this.workflowFailed.inc({ error_type: errorType, workflow_type: workflowType, task_queue: taskQueue });
  }

  recordQueueLatency(taskQueue: string, kind: QueueKind, seconds: number): void {
    if (Number.isFinite(seconds) && seconds >= 0)
      this.queueLatency.observe({ task_queue: taskQueue, kind }, seconds);
  }

  recordLlmRequest(tenantId: string, plan: TenantPlan, provider: LlmProvider): void {
    this.llmRequests.inc({ tenant: this.tenants.label(tenantId, plan), plan, provider });
  }

  recordLlmError(tenantId: string, plan: TenantPlan, provider: LlmProvider, errorClass: LlmErrorClass): void {
    this.llmErrors.inc({
      tenant: this.tenants.label(tenantId, plan),
      plan,
      provider,
      error_class: errorClass,
    });
  }
}
