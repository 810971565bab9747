/** Where the CLI writes: results to stdout (one JSON document with `--json`), progress and errors to stderr. */
export interface CliIo {
  readonly json: boolean;
  readonly out: NodeJS.WriteStream;
  readonly err: NodeJS.WriteStream;
  readonly in: NodeJS.ReadStream;
  readonly env: NodeJS.ProcessEnv;
  /** Prints a command's result: the JSON document with `--json`, else the human line. */
  result(data: unknown, human: string): void;
}

export function createIo(json: boolean): CliIo {
  return {
    json,
    out: process.stdout,
    err: process.stderr,
    in: process.stdin,
    env: process.env,
    result(data, human) {
      if (json) process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
      else if (human) process.stdout.write(`${human}\n`);
    },
  };
}
