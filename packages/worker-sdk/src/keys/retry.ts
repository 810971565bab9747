/** Bounded exponential backoff with full jitter (AWS architecture blog "Exponential Backoff And Jitter"). */
export interface BackoffOptions {
  /** First delay ceiling in milliseconds. @default 100 */
  readonly baseMs?: number;
  /** Largest delay ceiling in milliseconds. @default 2000 */
  readonly maxMs?: number;
}

/** Delay before retry number `attempt` (1-based): uniform in [0, min(max, base * 2^(attempt-1))]. */
export function jitteredDelayMs(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 100;
  const max = options.maxMs ?? 2_000;
  return Math.random() * Math.min(max, base * 2 ** (attempt - 1));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
