/**
 * What KEDA + the HPA would ask for, replayed over a measured backlog series. Semantics modelled:
 *  - KEDA polls the scaler every pollingInterval; the trigger is active while backlog > activationTargetQueueSize.
 *    Active at zero replicas -> KEDA scales to max(1, minReplicaCount) at once. Inactive for cooldownPeriod with
 *    minReplicaCount 0 -> KEDA scales to zero.
 *  - The HPA (sync every 15 s) with an AverageValue target: desired = ceil(backlog / targetQueueSize), kept at the
 *    current count within the 10 % tolerance, clamped to [max(1, min), max]; scale-down takes the highest
 *    recommendation of the stabilisation window; each direction is limited by its behaviour policies
 *    (selectPolicy Max: the policy allowing the largest change wins), measured from the count one period ago.
 * `requested` is the clamped ceil(backlog/target) (0 while KEDA holds the pool at zero): what the scaler asks for.
 * `replicas` is what the Deployment would run after the HPA's stabilisation and rate limits.
 */
import type { PoolScaling, ScalingPolicy } from './scaled-objects.js';

export interface BacklogPoint {
  readonly t: number; // ms
  readonly backlog: number;
}

export interface ReplicaPoint {
  readonly t: number; // ms
  readonly backlog: number;
  readonly requested: number;
  readonly replicas: number;
}

const HPA_SYNC_MS = 15_000;
const HPA_TOLERANCE = 0.1;

function valueAt<T extends { t: number }>(
  series: readonly T[],
  t: number,
  pick: (p: T) => number,
  initial: number,
): number {
  let value = initial;
  for (const point of series) {
    if (point.t > t) break;
    value = pick(point);
  }
  return value;
}

function limit(
  policies: readonly ScalingPolicy[],
  history: readonly ReplicaPoint[],
  t: number,
  current: number,
  up: boolean,
): number {
  if (policies.length === 0) return up ? Number.POSITIVE_INFINITY : 0;
  const limits = policies.map((policy) => {
    const base = valueAt(history, t - policy.periodSeconds * 1000, (p) => p.replicas, current);
    if (up) return policy.type === 'Pods' ? base + policy.value : Math.ceil(base * (1 + policy.value / 100));
    return policy.type === 'Pods' ? base - policy.value : Math.floor(base * (1 - policy.value / 100));
  });
  return up ? Math.max(...limits) : Math.min(...limits);
}

export function modelReplicas(
  series: readonly BacklogPoint[],
  scaling: PoolScaling,
  endMs: number,
  stepMs = 1000,
): ReplicaPoint[] {
  const floor = Math.max(1, scaling.minReplicaCount);
  const clamp = (n: number): number => Math.min(scaling.maxReplicaCount, Math.max(floor, n));
  const pollMs = scaling.pollingIntervalSeconds * 1000;
  const recommendations: Array<{ t: number; value: number }> = [];
  let replicas = scaling.minReplicaCount;
  let requested = scaling.minReplicaCount;
  let lastActiveAt = Number.NEGATIVE_INFINITY;
  const out: ReplicaPoint[] = [];
  for (let t = 0; t <= endMs; t += stepMs) {
    const backlog = valueAt(series, t, (p) => p.backlog, 0);
    if (t % pollMs === 0) {
      const active = backlog > scaling.activationTargetQueueSize;
      if (active) {
        lastActiveAt = t;
        if (replicas === 0) replicas = floor;
      } else if (
        scaling.minReplicaCount === 0 &&
        replicas > 0 &&
        t - lastActiveAt >= scaling.cooldownPeriodSeconds * 1000
      ) {
        replicas = 0;
        recommendations.length = 0;
      }
    }
    if (replicas === 0) {
      requested = 0;
    } else if (t % HPA_SYNC_MS === 0) {
      const raw = clamp(Math.ceil(backlog / scaling.targetQueueSize));
      const withinTolerance = Math.abs(backlog / (scaling.targetQueueSize * replicas) - 1) <= HPA_TOLERANCE;
      const recommendation = withinTolerance ? replicas : raw;
      requested = raw;
      recommendations.push({ t, value: recommendation });
      const windowStart = t - scaling.scaleDownStabilizationSeconds * 1000;
      while (recommendations.length && (recommendations[0]?.t ?? t) < windowStart) recommendations.shift();
      let next = recommendation;
      if (recommendation > replicas)
        next = Math.max(
          replicas,
          Math.min(recommendation, limit(scaling.scaleUpPolicies, out, t, replicas, true)),
        );
      if (recommendation < replicas) {
        const stabilised = Math.max(...recommendations.map((r) => r.value));
        next = Math.min(
          replicas,
          Math.max(Math.min(stabilised, replicas), limit(scaling.scaleDownPolicies, out, t, replicas, false)),
        );
      }
      replicas = clamp(next);
    }
    out.push({ t, backlog, requested, replicas });
  }
  return out;
}
