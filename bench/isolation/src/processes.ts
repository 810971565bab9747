/** Child processes of a run (worker pools, the flood client): started with tsx, stopped by their own pid. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly stderrTail: () => string;
  onLine(listener: (line: string) => void): void;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function startTsChild(
  name: string,
  script: string,
  env: Record<string, string>,
  { stdin = false, cpus }: { stdin?: boolean; /** `taskset` CPU list, e.g. `0` */ cpus?: string } = {},
): Child {
  const node = [process.execPath, '--import', 'tsx', `${here}${script}`];
  const [command, ...args] = cpus === undefined ? node : ['taskset', '--cpu-list', cpus, ...node];
  const child = spawn(command ?? process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const listeners: Array<(line: string) => void> = [];
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      for (const listener of listeners) listener(line);
    });
  }
  return {
    name,
    process: child,
    stderrTail: () => stderr,
    onLine(listener) {
      listeners.push(listener);
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function waitForLine(
  child: Child,
  predicate: (line: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`${child.name}: no expected output within ${timeoutMs} ms\n${child.stderrTail()}`)),
      timeoutMs,
    );
    child.process.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${child.name} exited with ${String(code)}\n${child.stderrTail()}`));
    });
    child.onLine((line) => {
      if (predicate(line)) {
        clearTimeout(timer);
        resolve(line);
      }
    });
  });
}
