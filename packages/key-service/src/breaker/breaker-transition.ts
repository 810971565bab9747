/**
 * The breaker's rules as a pure function, applied by the repository under the row lock so every
 * replica agrees. Kept free of I/O so each rule can be tested on its own.
 */
export const OUTCOMES = [
  'success',
  'auth_failure',
  'quota_exhausted',
  'rate_limited',
  'server_error',
  'overloaded',
  'timeout',
  'bad_request',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const TRIP_REASONS = ['auth_failure', 'quota_exhausted', 'rate_limited'] as const;
export type TripReason = (typeof TRIP_REASONS)[number];

export type BreakerStateName = 'closed' | 'open' | 'half_open';

export interface BreakerRow {
  readonly state: BreakerStateName;
  readonly reason: TripReason | null;
  readonly failures: number;
  readonly openedAt: Date | null;
  /** When a rate-limit trip may half-open; null for auth/quota trips (they wait for a new key). */
  readonly reopenAt: Date | null;
  readonly probeUntil: Date | null;
}

export interface BreakerRules {
  readonly failureThreshold: number;
  readonly cooldownSeconds: number;
}

export interface Transition {
  readonly next: BreakerRow;
  /** True only for the report that moved the breaker from closed to open. */
  readonly tripped: boolean;
}

/** Only these outcomes say something about the key itself; 5xx, 529, timeouts and bad requests do not. */
export function isKeyFailure(outcome: Outcome): outcome is TripReason {
  return outcome === 'auth_failure' || outcome === 'quota_exhausted' || outcome === 'rate_limited';
}

function severity(reason: TripReason): number {
  return reason === 'rate_limited' ? 0 : 1;
}

function reopenAfter(now: Date, rules: BreakerRules, retryAfterSeconds: number | undefined): Date {
  const wait = Math.max(rules.cooldownSeconds, retryAfterSeconds ?? 0);
  return new Date(now.getTime() + wait * 1000);
}

export function applyReport(
  row: BreakerRow,
  outcome: Outcome,
  retryAfterSeconds: number | undefined,
  now: Date,
  rules: BreakerRules,
): Transition {
  if (outcome === 'success') {
    // A success closes a half-open breaker (the probe worked) and resets the consecutive count while
    // closed. While open it is a call admitted before the trip finishing late: it changes nothing.
    if (row.state === 'open') return { next: row, tripped: false };
    return { next: closedRow(), tripped: false };
  }

  if (!isKeyFailure(outcome)) {
    // Not the key's fault. A half-open probe that hit one learned nothing: free the lease so the
    // next acquire may probe again at once.
    if (row.state === 'half_open') {
      return { next: { ...row, state: 'open', reopenAt: now, probeUntil: null }, tripped: false };
    }
    return { next: row, tripped: false };
  }

  const failures = row.failures + 1;
  const reopenAt = (reason: TripReason) =>
    reason === 'rate_limited' ? reopenAfter(now, rules, retryAfterSeconds) : null;

  if (row.state === 'closed') {
    if (failures > rules.failureThreshold) {
      return {
        next: {
          state: 'open',
          reason: outcome,
          failures,
          openedAt: now,
          reopenAt: reopenAt(outcome),
          probeUntil: null,
        },
        tripped: true,
      };
    }
    return { next: { ...row, failures }, tripped: false };
  }

  if (row.state === 'half_open') {
    // The probe failed: open again with a fresh cool-down (or for good, if the key is now rejected).
    return {
      next: {
        state: 'open',
        reason: outcome,
        failures,
        openedAt: row.openedAt,
        reopenAt: reopenAt(outcome),
        probeUntil: null,
      },
      tripped: false,
    };
  }

  // Already open: count, escalate a rate-limit trip to auth/quota (those do not half-open), and let a
  // later retry-after push the half-open time out.
  const current = row.reason ?? outcome;
  if (severity(outcome) > severity(current)) {
    return { next: { ...row, failures, reason: outcome, reopenAt: null, probeUntil: null }, tripped: false };
  }
  if (current === 'rate_limited' && outcome === 'rate_limited' && row.reopenAt) {
    const later = new Date(Math.max(row.reopenAt.getTime(), now.getTime() + (retryAfterSeconds ?? 0) * 1000));
    return { next: { ...row, failures, reopenAt: later }, tripped: false };
  }
  return { next: { ...row, failures }, tripped: false };
}

export function closedRow(): BreakerRow {
  return { state: 'closed', reason: null, failures: 0, openedAt: null, reopenAt: null, probeUntil: null };
}

export interface BreakerView {
  readonly state: BreakerStateName;
  /** True when acquire would refuse right now. */
  readonly paused: boolean;
  readonly reason?: TripReason;
  readonly retryAfterSeconds?: number;
}

/**
 * What a caller sees: an open rate-limit breaker whose cool-down has passed (or whose probe lease
 * lapsed) reads as half_open and not paused, because the next acquire would be admitted as the probe.
 */
export function viewOf(row: BreakerRow, now: Date): BreakerView {
  if (row.state === 'closed') return { state: 'closed', paused: false };
  const reason = row.reason ?? 'auth_failure';
  const secondsUntil = (at: Date) => Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000));
  if (reason !== 'rate_limited') return { state: 'open', paused: true, reason };
  if (row.state === 'open') {
    if (row.reopenAt && row.reopenAt > now) {
      return { state: 'open', paused: true, reason, retryAfterSeconds: secondsUntil(row.reopenAt) };
    }
    return { state: 'half_open', paused: false, reason };
  }
  if (row.probeUntil && row.probeUntil > now) {
    return { state: 'half_open', paused: true, reason, retryAfterSeconds: secondsUntil(row.probeUntil) };
  }
  return { state: 'half_open', paused: false, reason };
}
