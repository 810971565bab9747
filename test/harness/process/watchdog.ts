/**
 * Watchdog between the harness and one server process. Run directly by Node 24 (type stripping), so it imports
 * only Node built-ins and uses erasable TypeScript syntax.
 *
 * Why it exists: a test run can die without running any teardown (SIGKILL, OOM killer, a crashed worker).
 * Two independent mechanisms make sure the server dies with it:
 *  1. The harness holds the write end of this watchdog's stdin. When the harness process dies, the kernel
 *     closes that pipe, stdin ends, and the watchdog stops the server's whole process group, politely first.
 *  2. The server is exec'd through `setpriv --pdeathsig KILL`, so if the watchdog itself is killed outright
 *     (e.g. `kill -9` on the whole process group), the kernel sends the server SIGKILL.
 * The server also gets its own process group (so Ctrl-C in a terminal reaches the watchdog, which then stops
 * the server in order) and a stdin pipe that closes when the watchdog dies (the Neo4j launcher exits on that).
 *
 * An orderly stop writes `stop` to the pipe before closing it, or sends the watchdog SIGTERM (a supervisor that
 * stops a server to start it again in place, as the fault tests do). A pipe that closes without `stop` means the
 * harness died: the watchdog then also deletes the server's working directory (spec.cwd), which nobody else will.
 *
 * Usage: node watchdog.ts '<json spec>' (see WatchdogSpec). Output of the server goes to spec.logFile.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';

export interface WatchdogSpec {
  command: string;
  args: string[];
  cwd: string;
  /** Run the server as this Unix user (e.g. `postgres`, which refuses to run as root). */
  user?: string;
  /** Signal for an orderly stop, e.g. SIGINT is PostgreSQL's "fast shutdown". */
  stopSignal: NodeJS.Signals;
  /** How long the server gets after stopSignal before the whole group gets SIGKILL. */
  graceMs: number;
  logFile: string;
}

function parseSpec(raw: string | undefined): WatchdogSpec {
  if (raw === undefined) throw new Error('watchdog: missing JSON spec argument');
  const spec = JSON.parse(raw) as WatchdogSpec;
  if (typeof spec.command !== 'string' || !Array.isArray(spec.args) || typeof spec.logFile !== 'string') {
    throw new Error('watchdog: spec needs command, args and logFile');
  }
  return spec;
}

const spec = parseSpec(process.argv[2]);
const log = openSync(spec.logFile, 'a');
const note = (line: string): void => {
  writeSync(log, `[watchdog ${new Date().toISOString()}] ${line}\n`);
};

const setprivArgs = ['--pdeathsig', 'KILL'];
if (spec.user !== undefined) setprivArgs.push('--reuid', spec.user, '--regid', spec.user, '--init-groups');
const child = spawn('setpriv', [...setprivArgs, '--', spec.command, ...spec.args], {
  cwd: spec.cwd,
  detached: true,
  stdio: ['pipe', log, log],
});
const pgid = child.pid;
note(`started pid ${pgid ?? '?'}: ${spec.command} ${spec.args.join(' ')}`);

let childExited = false;
const childExit = new Promise<void>((resolve) => {
  child.once('exit', (code, signal) => {
    childExited = true;
    note(`server exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})`);
    resolve();
  });
});
child.once('error', (error) => {
  note(`could not start server: ${error.message}`);
  closeSync(log);
  process.exit(127);
});

function signalGroup(signal: NodeJS.Signals): void {
  if (pgid === undefined) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already empty.
  }
}

let stopping = false;
let orderly = false;
async function stopServer(reason: string): Promise<never> {
  if (!stopping) {
    stopping = true;
    note(`stopping server: ${reason}`);
    if (!childExited) {
      signalGroup(spec.stopSignal);
      const timer = setTimeout(() => {
        note(`grace of ${spec.graceMs} ms over: SIGKILL`);
        signalGroup('SIGKILL');
      }, spec.graceMs);
      await childExit;
      clearTimeout(timer);
    }
    // Whatever the leader left behind in its group (e.g. PostgreSQL backends) goes too.
    signalGroup('SIGKILL');
    closeSync(log);
    if (!orderly) rmSync(spec.cwd, { recursive: true, force: true });
    process.exit(0);
  }
  return new Promise<never>(() => undefined);
}

process.stdin.on('data', (chunk: Buffer) => {
  if (chunk.toString().includes('stop')) orderly = true;
});
process.stdin.once(
  'end',
  () => void stopServer(orderly ? 'stop requested' : 'parent closed the control pipe (parent gone)'),
);
process.stdin.once('error', () => void stopServer('control pipe error'));
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (signal === 'SIGTERM') orderly = true;
    void stopServer(`received ${signal}`);
  });
}
void childExit.then(() => {
  if (!stopping) {
    signalGroup('SIGKILL');
    closeSync(log);
    process.exit(1);
  }
});
