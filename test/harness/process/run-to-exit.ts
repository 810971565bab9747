import type { ChildProcess } from 'node:child_process';

/** A finished child process: its exit code (1 when killed by a signal) and its stdout and stderr as they came. */
export interface ExitedProcess {
  readonly code: number;
  readonly output: string;
}

/** Collects a child's stdout and stderr into one text and resolves when it exits. */
export function runToExit(child: ChildProcess): Promise<ExitedProcess> {
  return new Promise((resolvePromise, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolvePromise({ code: code ?? 1, output }));
  });
}
