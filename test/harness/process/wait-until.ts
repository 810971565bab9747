import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitUntilOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Pause between attempts. Default 250 ms. */
  intervalMs?: number;
  /** What is awaited, for the timeout message (e.g. `every revoked audit to park`). */
  what?: string;
  /** Extra facts for the timeout message, read when it is written. */
  explain?: () => string;
  /** Stop early (e.g. the server process exited); the returned reason goes into the error. */
  abortReason?: () => string | undefined;
}

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

/**
 * Polls `probe` until it returns a value other than `undefined` or `false`. Exceptions from the probe count as
 * "not yet" (a server that is still starting refuses connections); the last one is kept as the cause of the
 * timeout. The one wait loop of tests, the harness, the demo and the benchmarks.
 */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitUntilOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const aborted = options.abortReason?.();
    if (aborted !== undefined) throw new WaitTimeoutError(aborted, { cause: lastError });
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const explained = options.explain?.();
      throw new WaitTimeoutError(
        `timed out after ${options.timeoutMs} ms waiting for ${options.what ?? 'readiness'}${explained ? ` (${explained})` : ''}`,
        { cause: lastError },
      );
    }
    await sleep(options.intervalMs ?? 250);
  }
}
