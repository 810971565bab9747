import { execFile, spawn } from 'node:child_process';
import { chown, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

export interface DurablePostgres {
  readonly url: string;
  /** CPU seconds used so far by the server's backends (children of the postmaster), from /proc. */
  cpuSeconds(): Promise<number>;
  readonly settings: { host: string; port: number; user: string; password: string; database: string };
  stop(): Promise<void>;
}

/**
 * A PostgreSQL with production durability (fsync and synchronous_commit on, the defaults), so the
 * audit row written by every acquire pays a real WAL flush. The test harness's server turns those
 * off for speed, which would flatter acquire against a read-only baseline.
 */
export async function startDurablePostgres(port: number): Promise<DurablePostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-pg-'));
  const ids = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  const [uid, gid] = ids.map((r) => Number(r.stdout.trim())) as [number, number];
  await chown(dir, uid, gid);
  const password = crypto.randomUUID().replaceAll('-', '');
  const pwFile = join(dir, 'pw');
  await writeFile(pwFile, password, { mode: 0o600 });
  await chown(pwFile, uid, gid);
  const asPostgres = ['--reuid', 'postgres', '--regid', 'postgres', '--init-groups', '--'];
  const data = join(dir, 'data');
  await run(
    'setpriv',
    [
      ...asPostgres,
      join(BIN, 'initdb'),
      '-D',
      data,
      '-U',
      'postgres',
      '--pwfile',
      pwFile,
      '--auth-host',
      'scram-sha-256',
      '--auth-local',
      'trust',
      '-E',
      'UTF8',
      '--locale',
      'C.UTF-8',
    ],
    { cwd: dir },
  );
  const child = spawn(
    'setpriv',
    [
      ...asPostgres,
      join(BIN, 'postgres'),
      '-D',
      data,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${dir}`,
      '-c',
      'max_connections=100',
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  const settings = { host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const client = new pg.Client(settings);
    try {
      await client.connect();
      await client.end();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error('durable postgres did not start');
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const postmasterPid = Number((await readFile(join(data, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async cpuSeconds() {
      let ticks = 0;
      for (const entry of await readdir('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
        // Fields after the parenthesised command name: state ppid ... utime(14) stime(15) cutime(16) cstime(17).
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const pid = Number(entry);
        if (pid !== postmasterPid && Number(fields[1]) !== postmasterPid) continue;
        ticks += Number(fields[11]) + Number(fields[12]);
        // Backends that exited (idle pool connections are closed) were reaped by the postmaster:
        // their time lives on in its cutime/cstime.
        if (pid === postmasterPid) ticks += Number(fields[13]) + Number(fields[14]);
      }
      return ticks / 100;
    },
    settings,
    async stop() {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      });
      await rm(dir, { recursive: true, force: true });
    },
  };
}
