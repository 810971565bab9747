import { createHash } from 'node:crypto';
import type { KekProvider, KeyContext } from './kek-provider.js';
import { associatedData } from './kek-provider.js';

interface Entry {
  readonly dataKey: Buffer;
  readonly expiresAt: number;
}

export interface DataKeyCacheOptions {
  /** How long an unwrapped data key stays in memory. 0 disables the cache. Default 60 s. */
  readonly ttlMs?: number;
  /** Upper bound on cached data keys. Default 10 000. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/**
 * Keeps unwrapped data keys (never LLM keys) in memory briefly, so a hot acquire path does not call
 * KMS each time. Entries are keyed by a hash of the wrapped key and its context, so a replaced key
 * can never hit a stale entry, and evicted keys are zeroed.
 */
export class DataKeyCache {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(
    private readonly kek: KekProvider,
    options: DataKeyCacheOptions = {},
  ) {
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Returns a copy of the data key; the caller zeroes it after use. */
  async unwrap(wrapped: Buffer, kekVersion: number, context: KeyContext): Promise<Buffer> {
    // Checked on every call, hits included, so raising the minimum version takes effect at once.
    this.kek.assertDecryptable(kekVersion);
    if (this.#ttlMs <= 0) return this.kek.unwrapDataKey(wrapped, kekVersion, context);
    const id = cacheId(wrapped, kekVersion, context);
    const now = this.#now();
    const hit = this.#entries.get(id);
    if (hit && hit.expiresAt > now) return Buffer.from(hit.dataKey);
    if (hit) this.#evict(id, hit);
    const dataKey = await this.kek.unwrapDataKey(wrapped, kekVersion, context);
    if (this.#entries.size >= this.#maxEntries) this.#evictOldest();
    this.#entries.set(id, { dataKey: Buffer.from(dataKey), expiresAt: now + this.#ttlMs });
    return dataKey;
  }

  clear(): void {
    for (const [id, entry] of this.#entries) this.#evict(id, entry);
  }

  #evictOldest(): void {
    const first = this.#entries.entries().next();
    if (!first.done) this.#evict(first.value[0], first.value[1]);
  }

  #evict(id: string, entry: Entry): void {
    entry.dataKey.fill(0);
    this.#entries.delete(id);
  }
}

function cacheId(wrapped: Buffer, kekVersion: number, context: KeyContext): string {
  return createHash('sha256')
    .update(String(kekVersion))
    .update('\0')
    .update(associatedData(context, 'data-key'))
    .update('\0')
    .update(wrapped)
    .digest('base64');
}
