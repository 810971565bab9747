/**
 * The cause recorded with a page's `error: internal` outcome: the failure's message and its cause's, at most 500
 * characters. Workflow code (deterministic, no Node APIs), shared with the activities that record the same outcome.
 */
export function causeOf(err: unknown): string {
  const detail =
    err instanceof Error
      ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}`
      : 'unknown failure';
  return detail.slice(0, 500);
}
