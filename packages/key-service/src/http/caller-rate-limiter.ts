interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Per-caller token bucket (per replica). A runaway worker or a leaked admin token is slowed down
 * without affecting other callers; the fleet-wide limit is this times the replica count.
 */
export class CallerRateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    // Full buckets carry no information; dropping them keeps memory bounded by active callers.
    this.#timer = setInterval(() => this.#sweep(), 60_000);
    this.#timer.unref();
  }

  /** Takes one token; returns 0 when allowed, else the seconds to wait. */
  take(caller: string): number {
    const now = this.now();
    const bucket = this.#buckets.get(caller) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.perSecond);
    bucket.updatedAt = now;
    this.#buckets.set(caller, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond));
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #sweep(): void {
    const now = this.now();
    for (const [caller, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.perSecond >= this.burst)
        this.#buckets.delete(caller);
    }
  }
}
