import { loadCliConfig, type EeatCliConfig } from '../config/eeat-config.js';

/** Where the CLI writes: results to stdout (one JSON document with `--json`), progress and errors to stderr. */
export interface CliIo {
  readonly json: boolean;
  readonly out: NodeJS.WriteStream;
  readonly err: NodeJS.WriteStream;
  readonly in: NodeJS.ReadStream;
  readonly env: NodeJS.ProcessEnv;
  /**
   * The configuration for Temporal, the stores and `--allow-host` (src/config/eeat-config.ts), read from `env` once,
   * when a command first needs it, so `--help` and the key commands do not depend on it.
   */
  config(): EeatCliConfig;
  /** Prints a command's result: the JSON document with `--json`, else the human line. */
  result(data: unknown, human: string): void;
}

export function createIo(json: boolean): CliIo {
  let config: EeatCliConfig | undefined;
  return {
    json,
    out: process.stdout,
    err: process.stderr,
    in: process.stdin,
    env: process.env,
    config() {
      config ??= loadCliConfig(process.env);
      return config;
    },
    result(data, human) {
      if (json) process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
      else if (human) process.stdout.write(`${human}\n`);
    },
  };
}
