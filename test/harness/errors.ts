/** Machine-readable reasons a harness call can fail. */
export type HarnessErrorType =
  'INVALID_ARGUMENT' | 'TOOL_MISSING' | 'SERVICE_START_FAILED' | 'SERVICE_NOT_READY' | 'BROKER_UNAVAILABLE';

/**
 * Every failure of the services harness. `type` says what went wrong for code; `message` names the service,
 * the cause and, for start failures, ends with the tail of that server's log so a red test explains itself.
 */
export class HarnessError extends Error {
  override readonly name = 'HarnessError';
  readonly type: HarnessErrorType;

  constructor(type: HarnessErrorType, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.type = type;
  }
}
