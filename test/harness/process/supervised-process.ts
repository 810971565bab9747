import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { WatchdogSpec } from './watchdog.js';

const watchdogPath = fileURLToPath(new URL('./watchdog.ts', import.meta.url));

export type SupervisedProcessOptions = WatchdogSpec;

/** A server process behind a watchdog (see watchdog.ts for how it never outlives the harness). */
export class SupervisedProcess {
  readonly logFile: string;
  readonly #watchdog: ChildProcess;
  readonly #exited: Promise<void>;
  #running = true;
  #exitDescription = '';

  private constructor(options: SupervisedProcessOptions) {
    this.logFile = options.logFile;
    // The watchdog runs on the same Node binary as the harness (Node 24 strips its types natively).
    this.#watchdog = spawn(process.execPath, [watchdogPath, JSON.stringify(options)], {
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    this.#exited = new Promise((resolve) => {
      this.#watchdog.once('exit', (code, signal) => {
        this.#running = false;
        this.#exitDescription = `exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})`;
        resolve();
      });
    });
    // Written to only by stop(); otherwise it exists so that it closes when this process dies.
    this.#watchdog.stdin?.on('error', () => undefined);
  }

  static start(options: SupervisedProcessOptions): SupervisedProcess {
    return new SupervisedProcess(options);
  }

  /** `undefined` while running, otherwise how it ended: used to stop waiting for a server that died. */
  get exitReason(): string | undefined {
    return this.#running ? undefined : this.#exitDescription;
  }

  /** Stops the server (stop signal, then SIGKILL after the grace period) and waits for the watchdog. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    // "stop" marks an orderly stop: the watchdog keeps the working directory (restart() reuses it).
    this.#watchdog.stdin?.end('stop\n');
    const hardDeadline = setTimeout(() => this.#watchdog.kill('SIGKILL'), 60_000);
    await this.#exited;
    clearTimeout(hardDeadline);
  }

  async logTail(lines = 40): Promise<string> {
    try {
      const text = await readFile(this.logFile, 'utf8');
      return text.split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
