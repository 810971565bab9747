/**
 * Starts audits on the right pool. The workflow id is derived from tenant and audit id, and a start for an
 * audit that is already running attaches to it (USE_EXISTING), so a double-clicked "start" never runs twice.
 */
import { randomUUID } from 'node:crypto';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Client, WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { z } from 'zod';
import { AuditSiteInputSchema, describeIssues } from '../activities/audit-input-schema.js';
import { PRIVATE_HOSTS_ENV, PrivateHostAllowance } from '../fetch/private-host-allowance.js';
import type { auditPage, auditSite } from '../workflows/index.js';
import {
  DEFAULT_LIMITS,
  type AuditLimits,
  type AuditSiteInput,
  type ScoringMode,
} from '../workflows/audit-workflow-types.js';
import type { Plan } from '../storage/audit-scope.js';
import { priorityForPlan, taskQueueForPlan } from './plan-routing.js';
import { AuditIdAttribute, PlanAttribute, TenantIdAttribute } from './search-attributes.js';

export class InvalidAuditRequestError extends Error {
  readonly type = 'INVALID_AUDIT_REQUEST';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAuditRequestError';
  }
}

export interface StartAuditRequest {
  readonly tenantId: string;
  readonly plan: Plan;
  readonly siteUrl: string;
  /** Defaults to a new random id. Reusing an id re-runs that audit in place (results are overwritten, not added). */
  readonly auditId?: string;
  readonly limits?: Partial<AuditLimits>;
  /** @default 'heuristic' */
  readonly scoring?: ScoringMode;
  readonly provider?: 'openai' | 'anthropic';
  /**
   * `host:port` destinations the fetcher may reach although they are private (loopback, private networks,
   * cluster-internal). Refused unless this process runs with an allowance that permits them
   * (`APEXSEO_FETCH_PRIVATE_HOSTS`, set for the demo and tests only); workers apply their own allowance too.
   */
  readonly allowHosts?: readonly string[];
  readonly activitiesPerRun?: number;
}

export interface BuildAuditInputOptions {
  /** @default `PrivateHostAllowance.fromEnv()`: nothing unless `APEXSEO_FETCH_PRIVATE_HOSTS` is set */
  readonly privateHosts?: PrivateHostAllowance;
}

export interface StartedAudit {
  readonly auditId: string;
  readonly workflowId: string;
  readonly taskQueue: string;
  /** The started run's handle (its `firstExecutionRunId` leads through continue-as-new). */
  readonly handle: WorkflowHandleWithFirstExecutionRunId<typeof auditSite>;
}

export function auditWorkflowId(tenantId: string, auditId: string): string {
  return `eeat-audit:${tenantId}:${auditId}`;
}

export function buildAuditInput(
  request: StartAuditRequest,
  options: BuildAuditInputOptions = {},
): AuditSiteInput {
  const allowance = options.privateHosts ?? PrivateHostAllowance.fromEnv();
  for (const [index, hostPort] of (request.allowHosts ?? []).entries()) {
    if (!allowance.permits(hostPort))
      throw new InvalidAuditRequestError(
        `Invalid audit request: allowHosts.${index}: ${JSON.stringify(hostPort.slice(0, 100))} is not permitted: ` +
          `which private destinations the fetcher may reach is the operator's setting (${PRIVATE_HOSTS_ENV}), not an audit's`,
      );
  }
  const candidate = {
    tenantId: request.tenantId,
    plan: request.plan,
    auditId: request.auditId ?? randomUUID(),
    siteUrl: request.siteUrl,
    limits: { ...DEFAULT_LIMITS, ...request.limits },
    scoring: request.scoring ?? 'heuristic',
    ...(request.provider ? { provider: request.provider } : {}),
    ...(request.allowHosts ? { allowHosts: [...request.allowHosts] } : {}),
    ...(request.activitiesPerRun ? { activitiesPerRun: request.activitiesPerRun } : {}),
  };
  const parsed = AuditSiteInputSchema.safeParse(candidate);
  if (!parsed.success)
    throw new InvalidAuditRequestError(`Invalid audit request: ${describeIssues(parsed.error)}`);
  return parsed.data as z.output<typeof AuditSiteInputSchema> & AuditSiteInput;
}

function searchAttributes(input: { tenantId: string; plan: Plan; auditId: string }): TypedSearchAttributes {
  return new TypedSearchAttributes([
    { key: TenantIdAttribute, value: input.tenantId },
    { key: PlanAttribute, value: input.plan },
    { key: AuditIdAttribute, value: input.auditId },
  ]);
}

export async function startAudit(
  client: Client,
  request: StartAuditRequest,
  options: BuildAuditInputOptions = {},
): Promise<StartedAudit> {
  const input = buildAuditInput(request, options);
  const taskQueue = taskQueueForPlan(input.plan);
  const workflowId = auditWorkflowId(input.tenantId, input.auditId);
  const handle = await client.workflow.start<typeof auditSite>('auditSite', {
    taskQueue,
    workflowId,
    args: [input],
    typedSearchAttributes: searchAttributes(input),
    priority: priorityForPlan(input.plan),
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return { auditId: input.auditId, workflowId, taskQueue, handle };
}

export async function startPageAudit(
  client: Client,
  request: Omit<StartAuditRequest, 'siteUrl' | 'limits' | 'activitiesPerRun'> & { url: string },
): Promise<{
  auditId: string;
  workflowId: string;
  taskQueue: string;
  handle: WorkflowHandle<typeof auditPage>;
}> {
  const { url, ...rest } = request;
  const input = buildAuditInput({
    ...rest,
    siteUrl: url,
    limits: { pages: 1, depth: 0, concurrencyPerHost: 1 },
  });
  const taskQueue = taskQueueForPlan(input.plan);
  const workflowId = auditWorkflowId(input.tenantId, input.auditId);
  const handle = await client.workflow.start<typeof auditPage>('auditPage', {
    taskQueue,
    workflowId,
    args: [
      {
        tenantId: input.tenantId,
        plan: input.plan,
        auditId: input.auditId,
        url: input.siteUrl,
        scoring: input.scoring,
        ...(input.provider ? { provider: input.provider } : {}),
        ...(input.allowHosts ? { allowHosts: input.allowHosts } : {}),
      },
    ],
    typedSearchAttributes: searchAttributes(input),
    priority: priorityForPlan(input.plan),
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return { auditId: input.auditId, workflowId, taskQueue, handle };
}
