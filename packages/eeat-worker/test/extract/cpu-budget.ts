/**
 * The fixed CPU budget hostile-page tests hold extraction to. CPU time rather than wall time: the machine is shared,
 * and the wait for a core is not the page's cost. Generous on purpose: an ordinary page costs about 2 ms and every
 * test page here is linear work of at most a few megabytes; the defects these tests catch cost minutes to hours.
 */
export const PAGE_CPU_BUDGET_MS = 2_000;

/** CPU milliseconds (user + system) this process spent running `fn`. */
export function cpuMillis(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}
