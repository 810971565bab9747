/** CLI failures: a clear message for people, a machine-readable `type` for `--json` callers, an exit code. */
export class CliError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
