import type { BreakerRow, BreakerStateName, TripReason } from './breaker-transition.js';
import { closedRow } from './breaker-transition.js';

/** Columns of key_breakers as node-postgres returns them. */
export interface BreakerColumns {
  state: string | null;
  reason: string | null;
  failures: number | null;
  opened_at: Date | null;
  reopen_at: Date | null;
  probe_until: Date | null;
}

export function rowFromColumns(c: BreakerColumns): BreakerRow {
  if (c.state === null) return closedRow();
  return {
    state: c.state as BreakerStateName,
    reason: c.reason as TripReason | null,
    failures: c.failures ?? 0,
    openedAt: c.opened_at,
    reopenAt: c.reopen_at,
    probeUntil: c.probe_until,
  };
}
