/** The benchmark's no-op activity: measures worker overhead, not work. */
export function noop(): Promise<void> {
  return Promise.resolve();
}
