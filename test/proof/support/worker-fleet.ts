/**
 * The proof's worker processes: the real eeat-worker binary (the local stack's launcher), each named and with a
 * log file of its own in the stack's log folder, which the leak scan reads.
 */
import { join } from 'node:path';
import {
  startWorkerProcess,
  type WorkerProcess,
} from '../../../packages/eeat-worker/test/local-stack/worker-process.js';

export interface FleetWorker extends WorkerProcess {
  readonly logFile: string;
}

export async function startFleetWorker(
  name: string,
  taskQueue: string,
  env: Readonly<Record<string, string>>,
  logDir: string,
): Promise<FleetWorker> {
  const logFile = join(logDir, `${name}.log`);
  const worker = await startWorkerProcess(taskQueue, env, { name, logFile, readyTimeoutMs: 240_000 });
  return { ...worker, logFile };
}
