import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(here, '../../../..');

export interface FleetRequest {
  readonly url: string;
  readonly path: string;
  readonly token: string;
  readonly body: unknown;
}

export interface FleetResult {
  readonly status: number;
  readonly json: unknown;
}

/**
 * Splits requests over `processes` client processes that all fire at the same instant (a start time
 * far enough ahead for every process to boot), and gathers every answer.
 */
export async function fireFromProcesses(
  requests: readonly FleetRequest[],
  processes: number,
  leadMs = 4_000,
): Promise<FleetResult[]> {
  const startAt = Date.now() + leadMs;
  const groups = Array.from({ length: processes }, (_, p) => requests.filter((_r, i) => i % processes === p));
  const outputs = await Promise.all(
    groups.map(
      (group) =>
        new Promise<FleetResult[]>((resolvePromise, reject) => {
          const child = spawn(
            process.execPath,
            ['--import', 'tsx', join(here, 'fire-requests.ts'), JSON.stringify({ startAt, requests: group })],
            {
              cwd: REPO_ROOT,
              stdio: ['ignore', 'pipe', 'pipe'],
            },
          );
          let out = '';
          let err = '';
          child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
          child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
          child.once('exit', (code) => {
            if (code !== 0) reject(new Error(`client process failed (${String(code)}): ${err}`));
            else resolvePromise(JSON.parse(out) as FleetResult[]);
          });
        }),
    ),
  );
  return outputs.flat();
}
