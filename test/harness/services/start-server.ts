import { join } from 'node:path';
import { HarnessError } from '../errors.js';
import { SupervisedProcess, type SupervisedProcessOptions } from '../process/supervised-process.js';
import { waitUntil } from '../process/wait-until.js';
import { removeServiceDir } from './workspace.js';

export interface StartServerOptions<T> {
  service: string;
  dir: string;
  process: Omit<SupervisedProcessOptions, 'logFile' | 'cwd'>;
  /** Resolves to a value once the server answers; `undefined` or a throw means "not yet". */
  ready: (server: SupervisedProcess) => Promise<T | undefined>;
  readyTimeoutMs: number;
}

/**
 * Starts one server behind a watchdog and waits until `ready` says it answers. On failure the server is
 * stopped and the error carries the tail of its log.
 */
export async function startServer<T>(
  options: StartServerOptions<T>,
): Promise<{ server: SupervisedProcess; readiness: T }> {
  const server = SupervisedProcess.start({
    ...options.process,
    cwd: options.dir,
    logFile: join(options.dir, `${options.service}.log`),
  });
  try {
    const readiness = await waitUntil(() => options.ready(server), {
      timeoutMs: options.readyTimeoutMs,
      intervalMs: 300,
      abortReason: () => (server.exitReason === undefined ? undefined : `server ${server.exitReason}`),
    });
    return { server, readiness };
  } catch (error) {
    const diedEarly = server.exitReason !== undefined;
    await server.stop();
    const reason = error instanceof Error ? error.message : String(error);
    const cause =
      error instanceof Error && error.cause instanceof Error ? ` (last probe: ${error.cause.message})` : '';
    throw new HarnessError(
      diedEarly ? 'SERVICE_START_FAILED' : 'SERVICE_NOT_READY',
      `${options.service} did not become ready: ${reason}${cause}\n--- ${server.logFile} (tail) ---\n${await server.logTail()}`,
      { cause: error },
    );
  }
}

export interface RestartableServer {
  readonly restart: () => Promise<void>;
  readonly stop: () => Promise<void>;
}

/**
 * Launches a server that restarts in place: `launch` starts it on the same ports and folder each time. If the first
 * launch fails, the folder is removed. `restart()` stops the server and launches it again (refused after `stop()`);
 * `stop()` stops it once and removes its folder.
 */
export async function startRestartableServer(
  service: string,
  dir: string,
  launch: () => Promise<SupervisedProcess>,
): Promise<RestartableServer> {
  let server: SupervisedProcess;
  try {
    server = await launch();
  } catch (error) {
    await removeServiceDir(dir);
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    restart: async () => {
      if (stopped !== undefined)
        throw new HarnessError('INVALID_ARGUMENT', `${service}: restart() after stop()`);
      await server.stop();
      server = await launch();
    },
    stop: () => (stopped ??= server.stop().then(() => removeServiceDir(dir))),
  };
}
