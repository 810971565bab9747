/**
 * Which task queue and Temporal priority a plan gets (docs/architecture.md): MRR tenants go to the priority
 * pool, lifetime-deal tenants to the standard pool. Each pool has its own queue so KEDA scales them apart.
 */
import type { Plan } from '../storage/audit-scope.js';

export const TASK_QUEUES = { mrr: 'eeat-priority', ltd: 'eeat-standard' } as const satisfies Record<
  Plan,
  string
>;
export type EeatTaskQueue = (typeof TASK_QUEUES)[Plan];

/** Temporal priority keys: lower runs first (1..5, default 3). Servers without the priority matcher ignore it. */
export const PRIORITY_KEYS = { mrr: 1, ltd: 3 } as const satisfies Record<Plan, number>;

export function taskQueueForPlan(plan: Plan): EeatTaskQueue {
  return TASK_QUEUES[plan];
}

export function priorityForPlan(plan: Plan): { priorityKey: number; fairnessKey?: string } {
  return { priorityKey: PRIORITY_KEYS[plan] };
}
