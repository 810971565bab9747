import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './activities.js';

const { noop } = proxyActivities<typeof activities>({ startToCloseTimeout: '30 seconds' });

/** The benchmark's short workflow: one no-op activity. */
export async function shortWorkflow(i: number): Promise<number> {
  await noop();
  return i;
}
