/**
 * Admission control for lifetime-deal audit starts.
 *
 * Both pools share one Temporal cluster. Queue isolation keeps a lifetime-deal backlog out of the priority
 * queue, but a burst of thousands of start requests still lands on the cluster's write path all at once, and
 * paying customers' audits wait behind it while it does (bench/isolation, runs B and D). Starting lifetime-deal
 * audits through a `StartAdmission` spreads such a burst at a fixed rate; paying customers' starts never wait.
 *
 * Nothing is dropped: a start waits for its turn. Only a start that would join an over-long line is refused at
 * once (`AdmissionQueueFullError`), so the caller can tell its user to come back instead of holding a request
 * open for an hour. The rate of a `StartAdmission` is per process (N app replicas together admit N times the
 * rate); `SharedStartAdmission` (shared-start-admission.ts) keeps one rate for the whole fleet in PostgreSQL.
 *
 * p-throttle does the pacing (strict mode: one start per 1/rate seconds, never a burst) because it is a small,
 * well-kept library with abort support; what this module adds is the bounded line and the plan routing.
 */
import pThrottle, { type ThrottledFunction } from 'p-throttle';
import type { Client } from '@temporalio/client';
import type { Plan } from '../storage/audit-scope.js';
import { buildAuditInput, startAudit, type StartAuditRequest, type StartedAudit } from './start-audit.js';

export class AdmissionQueueFullError extends Error {
  readonly type = 'ADMISSION_QUEUE_FULL';
  constructor(readonly waiting: number) {
    super(`${waiting} lifetime-deal audit starts are already waiting for admission; try again later`);
    this.name = 'AdmissionQueueFullError';
  }
}

export class InvalidAdmissionSettingsError extends Error {
  readonly type = 'INVALID_ADMISSION_SETTINGS';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAdmissionSettingsError';
  }
}

export interface StartAdmissionOptions {
  /** Starts admitted per second, evenly spaced. */
  readonly startsPerSecond: number;
  /** Starts allowed to wait at once; one more is refused with AdmissionQueueFullError. */
  readonly maxWaiting: number;
  /** Aborting rejects every start still waiting (with the signal's reason); none of them is sent. */
  readonly signal?: AbortSignal;
}

/** Refuses a rate or line length no gate can work with, naming the setting (shared by both admission gates). */
export function assertAdmissionSettings(options: StartAdmissionOptions): void {
  if (!(options.startsPerSecond > 0) || !Number.isFinite(options.startsPerSecond))
    throw new InvalidAdmissionSettingsError(
      `startsPerSecond must be a positive number (got ${String(options.startsPerSecond)})`,
    );
  if (!Number.isInteger(options.maxWaiting) || options.maxWaiting < 1)
    throw new InvalidAdmissionSettingsError(
      `maxWaiting must be a whole number >= 1 (got ${String(options.maxWaiting)})`,
    );
}

/** Paces starts: `admit` runs a start once its turn comes; `waiting` is the length of this process's line. */
export interface Admission {
  readonly waiting: number;
  admit<T>(start: () => Promise<T>): Promise<T>;
}

export class StartAdmission implements Admission {
  readonly #pace: ThrottledFunction<<T>(start: () => Promise<T>) => Promise<T>>;
  readonly #maxWaiting: number;

  constructor(options: StartAdmissionOptions) {
    assertAdmissionSettings(options);
    this.#maxWaiting = options.maxWaiting;
    const throttle = pThrottle({
      limit: 1,
      interval: 1000 / options.startsPerSecond,
      strict: true,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    this.#pace = throttle(<T>(start: () => Promise<T>): Promise<T> => start());
  }

  /** Starts waiting for admission right now (p-throttle's queue: admitted starts have left it). */
  get waiting(): number {
    return this.#pace.queueSize;
  }

  /** Runs `start` once admitted; refuses at once when the line is full. */
  admit<T>(start: () => Promise<T>): Promise<T> {
    if (this.waiting >= this.#maxWaiting) return Promise.reject(new AdmissionQueueFullError(this.waiting));
    return this.#pace(start);
  }
}

/** The plans whose starts go through admission: lifetime-deal audits; paying customers never wait. */
const ADMITTED_PLANS: ReadonlySet<Plan> = new Set<Plan>(['ltd']);

/**
 * Starts audits like `startAudit`, with lifetime-deal starts admitted at a bounded rate. One per process that
 * starts audits (the app backend), shared by all its requests.
 */
export class AuditStarter {
  readonly #client: Client;
  readonly #admission: Admission;

  /** `admission`: a per-process rate (options), or a shared admission such as `SharedStartAdmission`. */
  constructor(client: Client, admission: StartAdmissionOptions | Admission) {
    this.#client = client;
    this.#admission = 'admit' in admission ? admission : new StartAdmission(admission);
  }

  /** Lifetime-deal starts waiting for admission. */
  get waiting(): number {
    return this.#admission.waiting;
  }

  /** Validates at once (an invalid request never waits in line), then starts: lifetime-deal after admission. */
  async start(request: StartAuditRequest): Promise<StartedAudit> {
    const { auditId } = buildAuditInput(request);
    const start = () => startAudit(this.#client, { ...request, auditId });
    return ADMITTED_PLANS.has(request.plan) ? await this.#admission.admit(start) : await start();
  }
}
