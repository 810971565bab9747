/**
 * Test workflows around `untilPlatformRecovers`: one page step whose activity never heartbeats, as when a page
 * blocks or kills every worker that runs it, and one that loses its worker once and then completes.
 */
import { proxyActivities } from '@temporalio/workflow';
import { untilPlatformRecovers } from '../../../src/workflows/platform-outages.js';

export interface StallActivities {
  /** Sleeps `ms` without heartbeating, `times` times (counted per key), then returns `done`. */
  stall(input: { key: string; ms: number; times: number }): Promise<string>;
}

const step = proxyActivities<StallActivities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '1 second',
  retry: { maximumAttempts: 1 },
});

export async function stallingStep(input: { key: string; times: number }): Promise<string> {
  return untilPlatformRecovers(() => step.stall({ key: input.key, ms: 4_000, times: input.times }));
}
