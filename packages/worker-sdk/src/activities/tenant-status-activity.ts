import {
  TENANT_KEY_STATUS_ACTIVITY,
  type TenantKeyStatusInput,
  type TenantKeyStatusResult,
} from '../workflow/tenant-pause-contract.js';
import { toApplicationFailure } from './application-failure.js';
import type { SdkRuntime } from '../runtime/sdk-runtime.js';

/**
 * The SDK's own activities, registered by `createWorker`: the durable re-check a parked workflow runs on its timer
 * (`apexseo.tenantKeyStatus`). It answers from the key service, so a missed resume signal is caught.
 */
export function sdkActivities(
  runtime: SdkRuntime,
): Record<string, (input: TenantKeyStatusInput) => Promise<TenantKeyStatusResult>> {
  return {
    [TENANT_KEY_STATUS_ACTIVITY]: async (input: TenantKeyStatusInput): Promise<TenantKeyStatusResult> => {
      try {
        const status = await runtime.keyService.status(input.tenantId, input.provider);
        const provider = status.provider ?? input.provider;
        if (!status.paused && provider) runtime.breaker.clearPaused(input.tenantId, provider);
        return status.reason === undefined
          ? { paused: status.paused, state: status.state }
          : { paused: status.paused, state: status.state, reason: status.reason };
      } catch (err) {
        throw toApplicationFailure(err);
      }
    },
  };
}
