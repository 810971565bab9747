/**
 * Fleet-wide admission for lifetime-deal audit starts: one rate shared by every process that starts audits (all
 * replicas of the app backend), kept in PostgreSQL, which the platform already runs.
 *
 * The shared state is one row per budget: the time of its next free slot. A start waiting at the head of a
 * process's line reserves the next slot with one atomic statement (`next_slot = greatest(next_slot, now()) +
 * interval`, returning the slot it took), sleeps until that slot (computed on the database's clock, so the
 * processes' clocks do not matter) and is sent. However many processes reserve at once, slots never overlap, so
 * together they send at most the configured rate, evenly spaced; an idle budget admits the next start at once.
 * A process that dies while waiting loses only the slot it held (the fleet then sends a little below the rate,
 * never above). Each process keeps its own bounded line (`maxWaiting`), as the per-process `StartAdmission` does.
 *
 * Nothing is dropped: a start waits its turn; if PostgreSQL cannot be reached the head of the line waits and tries
 * again (`onStoreError` hears about it), it is never sent unpaced and never lost.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import {
  AdmissionQueueFullError,
  assertAdmissionSettings,
  InvalidAdmissionSettingsError,
  type StartAdmissionOptions,
} from './start-admission.js';

export interface SharedStartAdmissionOptions extends StartAdmissionOptions {
  /** A PostgreSQL pool every starting process points at the same database. */
  readonly pool: Pool;
  /** Name of the shared budget (one row); every starter of one fleet uses the same. Default `ltd-audit-starts`. */
  readonly budget?: string;
  /** Told about a failed reservation (the start keeps waiting and retries after `retryMs`). */
  readonly onStoreError?: (err: unknown) => void;
  /** Wait before retrying a failed reservation. Default 1000 ms. */
  readonly retryMs?: number;
}

const TABLE = 'audit_admission_budgets';

interface Waiting {
  readonly start: () => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

export class SharedStartAdmission {
  readonly #pool: Pool;
  readonly #budget: string;
  readonly #intervalMs: number;
  readonly #maxWaiting: number;
  readonly #retryMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #onStoreError: (err: unknown) => void;
  readonly #line: Waiting[] = [];
  #pumping = false;
  #tableReady: Promise<void> | null = null;

  constructor(options: SharedStartAdmissionOptions) {
    assertAdmissionSettings(options);
    const budget = options.budget ?? 'ltd-audit-starts';
    if (!/^[a-z0-9][a-z0-9_.-]{0,62}$/.test(budget))
      throw new InvalidAdmissionSettingsError(
        `budget must be a short lower-case name (got ${JSON.stringify(budget)})`,
      );
    this.#pool = options.pool;
    this.#budget = budget;
    this.#intervalMs = 1000 / options.startsPerSecond;
    this.#maxWaiting = options.maxWaiting;
    this.#retryMs = options.retryMs ?? 1000;
    this.#signal = options.signal;
    this.#onStoreError = options.onStoreError ?? (() => undefined);
    this.#signal?.addEventListener('abort', () => this.#rejectAll(this.#signal?.reason), { once: true });
  }

  /** Starts of this process waiting for admission (the one holding a reserved slot included). */
  get waiting(): number {
    return this.#line.length;
  }

  /** Runs `start` once admitted by the fleet-wide budget; refuses at once when this process's line is full. */
  admit<T>(start: () => Promise<T>): Promise<T> {
    if (this.#signal?.aborted) return Promise.reject(this.#signal.reason as Error);
    if (this.#line.length >= this.#maxWaiting)
      return Promise.reject(new AdmissionQueueFullError(this.#line.length));
    return new Promise<T>((resolve, reject) => {
      this.#line.push({ start, resolve: resolve as (value: unknown) => void, reject });
      void this.#pump();
    });
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#line.length > 0 && !this.#signal?.aborted) {
        const waitMs = await this.#reserveSlot();
        if (waitMs === null) continue;
        if (waitMs > 0) await sleep(waitMs, undefined, { signal: this.#signal }).catch(() => undefined);
        if (this.#signal?.aborted) break;
        const head = this.#line.shift();
        if (!head) break;
        // Sent, not awaited: the next start's pacing does not wait for this one's round trip.
        head.start().then(head.resolve, head.reject);
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** Reserves the budget's next slot; returns how long to wait for it, or null after a failure (already waited). */
  async #reserveSlot(): Promise<number | null> {
    try {
      await this.#ensureTable();
      const { rows } = await this.#pool.query<{ wait_ms: string | number }>(
        `INSERT INTO ${TABLE} (budget, next_slot) VALUES ($1, clock_timestamp() + $2 * interval '1 millisecond')
         ON CONFLICT (budget) DO UPDATE
           SET next_slot = greatest(${TABLE}.next_slot, clock_timestamp()) + $2 * interval '1 millisecond'
         RETURNING greatest(0, extract(epoch from (next_slot - $2 * interval '1 millisecond' - clock_timestamp())) * 1000) AS wait_ms`,
        [this.#budget, this.#intervalMs],
      );
      return Number(rows[0]?.wait_ms ?? 0);
    } catch (err) {
      this.#onStoreError(err);
      await sleep(this.#retryMs, undefined, { signal: this.#signal }).catch(() => undefined);
      return null;
    }
  }

  #ensureTable(): Promise<void> {
    this.#tableReady ??= this.#pool
      .query(`CREATE TABLE IF NOT EXISTS ${TABLE} (budget text PRIMARY KEY, next_slot timestamptz NOT NULL)`)
      .then(
        () => undefined,
        (err: unknown) => {
          this.#tableReady = null;
          // Another starter created it at the same moment (CREATE ... IF NOT EXISTS is not race-free in PostgreSQL).
          if (isCode(err, '23505') || isCode(err, '42P07')) return;
          throw err;
        },
      );
    return this.#tableReady;
  }

  #rejectAll(reason: unknown): void {
    for (const waiting of this.#line.splice(0)) waiting.reject(reason);
  }
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
