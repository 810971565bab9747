export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `probe` returns a value (not undefined), or fails naming what it waited for. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  intervalMs = 250,
  /** Extra facts for the failure message. */
  explain: () => string = () => '',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until)
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what}${explain() ? ` (${explain()})` : ''}`,
      );
    await sleep(intervalMs);
  }
}
