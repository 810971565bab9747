/**
 * Whose failure ended a page step's attempts, read from the failure the workflow receives. Pure (no workflow
 * APIs), so it is shared by the workflow and its tests.
 */
import { ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { PLATFORM_FAILURE_TYPES } from './platform-failure-types.js';

export type StepFailureKind =
  /** The platform's: a lost worker (heartbeat timeout), the key service, an unavailable result store. */
  | 'platform'
  /** The attempt outran its start-to-close timeout while its worker kept heartbeating: the work took too long. */
  | 'overran'
  /** The page's, the site's or the provider's. */
  | 'page';

/** Classifies from the cause chain: activity failure → timeout or application failure (first one found decides). */
export function stepFailureKind(err: unknown): StepFailureKind {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof TimeoutFailure) return e.timeoutType === 'HEARTBEAT' ? 'platform' : 'overran';
    if (e instanceof ApplicationFailure)
      return e.type != null && PLATFORM_FAILURE_TYPES.has(e.type) ? 'platform' : 'page';
  }
  return 'page';
}

/** The step's last attempt lost its worker: no heartbeat arrived within the heartbeat timeout. */
export function isHeartbeatTimeout(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof TimeoutFailure) return e.timeoutType === 'HEARTBEAT';
    if (e instanceof ApplicationFailure) return false;
  }
  return false;
}
