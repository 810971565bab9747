/**
 * "An outage delays an audit, it never drops one": every page step of the audit (discovery, collection, rating)
 * runs through `untilPlatformRecovers`. A step whose attempts run out on a failure of the platform itself waits on
 * a durable timer and runs again with fresh attempts; only failures of the page, the site or the tenant's provider
 * use its attempts up for good (the workflow then records the page's outcome as before).
 *
 * Workflow code: deterministic, no Node APIs.
 */
import { ApplicationFailure, patched, sleep } from '@temporalio/workflow';
import { isHeartbeatTimeout, stepFailureKind, type StepFailureKind } from './step-failure-kind.js';
import { PAGE_STOPS_WORKERS } from './platform-failure-types.js';

/** Decides, at a step's first failure of a kind other than `page`, whether this history waits it out. */
export type WaitsOut = (kind: Exclude<StepFailureKind, 'page'>) => boolean;

/**
 * Marks histories whose LLM rating step waits out platform failures, every activity timeout counted as one
 * (recorded since the LLM step first waited out outages; older histories recorded the page lost).
 */
const LLM_RATING_PATCH = 'rate-page-waits-out-platform-failures';
/**
 * Marks histories whose discovery, collection and heuristic rating steps also wait out platform failures, and in
 * which a timeout counts as the platform's only when it is a heartbeat timeout (a lost worker).
 */
const PAGE_STEPS_PATCH = 'page-steps-wait-out-platform-failures';

/**
 * Marks histories in which a step whose every round of attempts ends with a lost worker is the page's failure
 * after `MAX_ROUNDS_LOST_TO_WORKERS` rounds (recorded before it: such a step waited for ever).
 */
const WORKER_LOSS_CAP_PATCH = 'page-steps-cap-lost-workers';

/**
 * A lost worker (node drained, pod killed, process crashed for its own reasons) costs one attempt: the retry runs
 * on another worker and completes. A page that stops every worker that analyses it (exhausts its memory, blocks
 * its event loop) ends every attempt the same way. So a heartbeat timeout is the platform's, and waited out, until
 * it ended this many consecutive rounds of the step's attempts (each round is the step's whole retry policy, 3
 * attempts for collection and rating); then it is the page's, recorded as `error: too complex`.
 */
export const MAX_ROUNDS_LOST_TO_WORKERS = 2;

/** Waits between rounds of a step: 15 s, 30 s, then once a minute. */
const FIRST_DELAY_MS = 15_000;
const MAX_DELAY_MS = 60_000;

/** Discovery, collection and heuristic rating: platform failures are waited out, overruns are the page's. */
export const pageStepWaitsOut: WaitsOut = (kind) => kind === 'platform' && patched(PAGE_STEPS_PATCH);

/**
 * The LLM rating step. Histories recorded before `PAGE_STEPS_PATCH` also waited out an overrun (any timeout
 * counted as a lost worker), so they replay as recorded; newer ones count an overrun as the provider's.
 */
export const llmStepWaitsOut: WaitsOut = (kind) =>
  patched(LLM_RATING_PATCH) && (kind === 'platform' || !patched(PAGE_STEPS_PATCH));

/**
 * Runs `step` (one activity call with its own retry policy, or a wrapper around one) until it succeeds or fails
 * for a reason of its own. On a platform failure that outlasted the step's attempts, waits (15 s, 30 s, then each
 * minute) and runs the step again with fresh attempts, for as long as the outage lasts.
 */
export async function untilPlatformRecovers<T>(
  step: () => Promise<T>,
  waitsOut: WaitsOut = pageStepWaitsOut,
): Promise<T> {
  let roundsLostToWorkers = 0;
  for (let round = 1; ; round++) {
    try {
      return await step();
    } catch (err) {
      const kind = stepFailureKind(err);
      if (kind === 'page' || !waitsOut(kind)) throw err;
      roundsLostToWorkers = isHeartbeatTimeout(err) ? roundsLostToWorkers + 1 : 0;
      if (roundsLostToWorkers >= MAX_ROUNDS_LOST_TO_WORKERS && patched(WORKER_LOSS_CAP_PATCH)) {
        throw ApplicationFailure.create({
          type: PAGE_STOPS_WORKERS,
          nonRetryable: true,
          message: `${roundsLostToWorkers} consecutive rounds of attempts ended with a lost worker (heartbeat timeout): the page stops the workers that analyse it`,
          ...(err instanceof Error ? { cause: err } : {}),
        });
      }
      await sleep(Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (round - 1)));
    }
  }
}
