/** Who asked for a change and in which request: written into the audit row of every key and breaker change. */
export interface Caller {
  readonly actor: string;
  readonly requestId: string;
}
