import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  TENANT_PAUSED_SIGNAL,
  TENANT_RESUMED_SIGNAL,
  type TenantSignal,
} from '../workflow/tenant-pause-contract.js';

/** How a tenant's workflows were signalled. */
export type TenantSignalResult =
  | { readonly mode: 'batch'; readonly jobId: string }
  | { readonly mode: 'individual'; readonly signalled: number };

const SAFE_TENANT_ID = /^[A-Za-z0-9_.:@-]{1,128}$/;

/** The visibility query selecting a tenant's running workflows (search attribute `TenantId`). */
export function tenantWorkflowsQuery(tenantId: string): string {
  if (!SAFE_TENANT_ID.test(tenantId)) throw new TypeError('tenantId must match [A-Za-z0-9_.:@-]{1,128}');
  return `TenantId = '${tenantId}' AND ExecutionStatus = 'Running'`;
}

/**
 * Signals every running workflow of the tenant, through one server-side batch operation (`StartBatchOperation`
 * with a visibility query on `TenantId`). When the server refuses the batch (e.g. its per-namespace limit of
 * concurrent batch jobs is reached), falls back to listing the workflows and signalling each one.
 */
export async function signalTenantWorkflows(
  client: Client,
  signalName: string,
  payload: TenantSignal,
): Promise<TenantSignalResult> {
  const query = tenantWorkflowsQuery(payload.tenantId);
  const jobId = `apexseo-${signalName}-${payload.tenantId}-${randomUUID()}`;
  const input = defaultPayloadConverter.toPayload(payload);
  try {
    await client.workflowService.startBatchOperation({
      namespace: client.options.namespace,
      jobId,
      visibilityQuery: query,
      reason: `${signalName} for tenant ${payload.tenantId}`,
      signalOperation: {
        signal: signalName,
        input: { payloads: [input] },
        identity: client.options.identity ?? 'apexseo-worker-sdk',
      },
    });
    return { mode: 'batch', jobId };
  } catch {
    let signalled = 0;
    for await (const wf of client.workflow.list({ query })) {
      try {
        await client.workflow.getHandle(wf.workflowId, wf.runId).signal(signalName, payload);
        signalled++;
      } catch {
        // The workflow completed between listing and signalling.
      }
    }
    return { mode: 'individual', signalled };
  }
}

/** Tells a tenant's running workflows that its key breaker opened: their LLM steps park. */
export function pauseTenantWorkflows(client: Client, payload: TenantSignal): Promise<TenantSignalResult> {
  return signalTenantWorkflows(client, TENANT_PAUSED_SIGNAL, payload);
}

/**
 * Resumes a tenant's parked workflows (call it after the key service's `POST /v1/tenants/:id/resume` or after the
 * tenant saved a new key). Parked workflows also resume on their own durable re-check timer.
 */
export function resumeTenantWorkflows(
  client: Client,
  tenantId: string,
  provider?: 'openai' | 'anthropic',
): Promise<TenantSignalResult> {
  return signalTenantWorkflows(
    client,
    TENANT_RESUMED_SIGNAL,
    provider ? { tenantId, provider } : { tenantId },
  );
}
