import { describe, expect, it } from 'vitest';
import {
  applyReport,
  closedRow,
  viewOf,
  type BreakerRow,
  type Outcome,
} from '../../src/breaker/breaker-transition.js';

const rules = { failureThreshold: 5, cooldownSeconds: 30 };
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

function run(outcomes: Outcome[], start: BreakerRow = closedRow()) {
  let row = start;
  const trips: number[] = [];
  outcomes.forEach((outcome, i) => {
    const t = applyReport(row, outcome, undefined, t0, rules);
    if (t.tripped) trips.push(i + 1);
    row = t.next;
  });
  return { row, trips };
}

describe('breaker rules', () => {
  it('should stay closed after 5 consecutive key failures and trip on the 6th', () => {
    expect(run(Array<Outcome>(5).fill('auth_failure')).row.state).toBe('closed');
    expect(run(Array<Outcome>(6).fill('auth_failure')).trips).toEqual([6]);
  });

  it('should report the trip only once however many failures follow', () => {
    expect(run(Array<Outcome>(20).fill('quota_exhausted')).trips).toEqual([6]);
  });

  it('should reset the consecutive count on success', () => {
    const { row, trips } = run([
      'auth_failure',
      'auth_failure',
      'auth_failure',
      'auth_failure',
      'auth_failure',
      'success',
      'auth_failure',
    ]);
    expect(trips).toEqual([]);
    expect(row.failures).toBe(1);
  });

  it.each(['server_error', 'overloaded', 'timeout', 'bad_request'] as const)(
    'should not count %s toward the breaker',
    (outcome) => {
      const { row } = run([...Array<Outcome>(5).fill('rate_limited'), ...Array<Outcome>(10).fill(outcome)]);
      expect(row.state).toBe('closed');
      expect(row.failures).toBe(5);
    },
  );

  it('should keep an auth trip open with no half-open time', () => {
    const { row } = run(Array<Outcome>(6).fill('auth_failure'));
    expect(row.reopenAt).toBeNull();
    expect(viewOf(row, at(10_000))).toEqual({ state: 'open', paused: true, reason: 'auth_failure' });
  });

  it('should half-open a rate-limit trip after the cool-down', () => {
    const { row } = run(Array<Outcome>(6).fill('rate_limited'));
    expect(viewOf(row, at(29)).paused).toBe(true);
    expect(viewOf(row, at(30))).toEqual({ state: 'half_open', paused: false, reason: 'rate_limited' });
  });

  it('should honour a retry-after longer than the cool-down', () => {
    let row = run(Array<Outcome>(5).fill('rate_limited')).row;
    row = applyReport(row, 'rate_limited', 120, t0, rules).next;
    expect(viewOf(row, at(119))).toMatchObject({ paused: true, retryAfterSeconds: 1 });
    expect(viewOf(row, at(120)).paused).toBe(false);
  });

  it('should push the half-open time out when a later report carries a longer retry-after', () => {
    let row = run(Array<Outcome>(6).fill('rate_limited')).row;
    row = applyReport(row, 'rate_limited', 90, at(10), rules).next;
    expect(viewOf(row, at(99)).paused).toBe(true);
  });

  it('should escalate an open rate-limit trip to an auth trip that does not half-open', () => {
    let row = run(Array<Outcome>(6).fill('rate_limited')).row;
    row = applyReport(row, 'auth_failure', undefined, at(1), rules).next;
    expect(row.reason).toBe('auth_failure');
    expect(viewOf(row, at(10_000)).paused).toBe(true);
  });

  it('should close when the half-open probe succeeds', () => {
    const open = run(Array<Outcome>(6).fill('rate_limited')).row;
    const probing: BreakerRow = { ...open, state: 'half_open', probeUntil: at(60) };
    expect(applyReport(probing, 'success', undefined, at(31), rules).next).toEqual(closedRow());
  });

  it('should re-open without a new trip when the half-open probe is rate limited again', () => {
    const open = run(Array<Outcome>(6).fill('rate_limited')).row;
    const probing: BreakerRow = { ...open, state: 'half_open', probeUntil: at(60) };
    const t = applyReport(probing, 'rate_limited', 45, at(31), rules);
    expect(t.tripped).toBe(false);
    expect(t.next.state).toBe('open');
    expect(t.next.reopenAt).toEqual(at(76));
  });

  it('should free the probe lease when the probe hits a non-key error', () => {
    const open = run(Array<Outcome>(6).fill('rate_limited')).row;
    const probing: BreakerRow = { ...open, state: 'half_open', probeUntil: at(60) };
    const next = applyReport(probing, 'server_error', undefined, at(31), rules).next;
    expect(viewOf(next, at(31))).toEqual({ state: 'half_open', paused: false, reason: 'rate_limited' });
  });

  it('should ignore a late success while open', () => {
    const open = run(Array<Outcome>(6).fill('auth_failure')).row;
    expect(applyReport(open, 'success', undefined, at(1), rules).next).toEqual(open);
  });
});
