/**
 * The isolation benchmark's PNG shows the replicas KEDA and the HPA would run through a flood; these tests pin
 * the scaling rules the model replays (activation, ceil(backlog / target), clamping, rate limits, cooldown).
 */
import { describe, expect, it } from 'vitest';
import { modelReplicas, type BacklogPoint } from '../../bench/isolation/src/replica-model.js';
import type { PoolScaling } from '../../bench/isolation/src/scaled-objects.js';

const standard: PoolScaling = {
  pool: 'standard',
  taskQueue: 'eeat-standard',
  targetQueueSize: 20,
  activationTargetQueueSize: 0,
  minReplicaCount: 0,
  maxReplicaCount: 20,
  pollingIntervalSeconds: 15,
  cooldownPeriodSeconds: 60,
  scaleDownStabilizationSeconds: 30,
  scaleUpPolicies: [{ type: 'Percent', value: 100, periodSeconds: 30 }],
  scaleDownPolicies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  queueTypes: ['workflow', 'activity'],
};

const priority: PoolScaling = {
  ...standard,
  pool: 'priority',
  taskQueue: 'eeat-priority',
  targetQueueSize: 5,
  minReplicaCount: 1,
  maxReplicaCount: 10,
};

/** A backlog that jumps to `size` at `fromS` and back to zero at `toS`. */
function step(size: number, fromS: number, toS: number): BacklogPoint[] {
  return [
    { t: 0, backlog: 0 },
    { t: fromS * 1000, backlog: size },
    { t: toS * 1000, backlog: 0 },
  ];
}

const at = (points: ReturnType<typeof modelReplicas>, seconds: number) =>
  points.find((p) => p.t === seconds * 1000);

describe('replica model of the KEDA temporal trigger and the HPA', () => {
  it('should keep a min-0 pool at zero replicas while its queue is empty', () => {
    const points = modelReplicas([{ t: 0, backlog: 0 }], standard, 120_000);
    expect(points.every((p) => p.replicas === 0 && p.requested === 0)).toBe(true);
  });

  it('should request ceil(backlog / target) clamped to the maximum once the trigger is active', () => {
    const small = modelReplicas(step(45, 0, 600), standard, 60_000);
    expect(at(small, 30)?.requested).toBe(3);
    const flood = modelReplicas(step(961, 0, 600), standard, 60_000);
    expect(at(flood, 30)?.requested).toBe(20);
  });

  it('should grow the running replicas no faster than the scale-up policy allows', () => {
    const points = modelReplicas(step(961, 0, 900), standard, 240_000);
    // 100 % per 30 s: at most double the count of one period earlier, so 20 replicas take several periods.
    const counts = points.map((p) => p.replicas);
    for (let i = 30; i < counts.length; i++)
      expect(counts[i] ?? 0).toBeLessThanOrEqual(2 * Math.max(1, counts[i - 30] ?? 0));
    expect(at(points, 30)?.replicas).toBeLessThanOrEqual(4);
    expect(Math.max(...counts)).toBe(20);
  });

  it('should scale a min-0 pool to zero only after the cooldown has passed without backlog', () => {
    const points = modelReplicas(step(100, 0, 60), standard, 300_000);
    expect(at(points, 60)?.replicas).toBeGreaterThan(0);
    expect(at(points, 90)?.replicas).toBeGreaterThan(0);
    expect(at(points, 120)?.replicas).toBe(0);
  });

  it('should never take a min-1 pool below one replica', () => {
    const points = modelReplicas(step(30, 10, 40), priority, 300_000);
    expect(Math.min(...points.map((p) => p.replicas))).toBe(1);
    expect(Math.max(...points.map((p) => p.requested))).toBe(6);
  });
});
