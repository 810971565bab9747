import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitUntilOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Pause between attempts. Default 250 ms. */
  intervalMs?: number;
  /** Stop early (e.g. the server process exited); the returned reason goes into the error. */
  abortReason?: () => string | undefined;
}

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

/**
 * Polls `probe` until it returns a value other than `undefined`. Exceptions from the probe count as "not yet"
 * (a server that is still starting refuses connections); the last one is kept as the cause of the timeout.
 */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined>,
  options: WaitUntilOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const aborted = options.abortReason?.();
    if (aborted !== undefined) throw new WaitTimeoutError(aborted, { cause: lastError });
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new WaitTimeoutError(`not ready after ${options.timeoutMs} ms`, { cause: lastError });
    }
    await sleep(options.intervalMs ?? 250);
  }
}
