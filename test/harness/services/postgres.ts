import { execFile } from 'node:child_process';
import { chown, mkdir, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { HarnessError } from '../errors.js';
import { freePort } from '../process/free-port.js';
import type { PostgresSettings, RunningService } from '../settings.js';
import { startServer } from './start-server.js';
import { makeServiceDir, removeServiceDir, requireTool, throwawayPassword } from './workspace.js';

const run = promisify(execFile);

/** PostgreSQL refuses to run as root; Debian's package creates this user. */
const POSTGRES_OS_USER = 'postgres';
/** The role tests connect as: not a superuser (like production), but allowed to create databases. */
const APP_ROLE = 'apexseo';
const APP_DATABASE = 'apexseo';

function postgresBinDir(): string {
  const candidates = process.env.APEXSEO_PG_BIN === undefined ? [] : [process.env.APEXSEO_PG_BIN];
  candidates.push('/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin');
  return requireTool(
    'PostgreSQL (initdb)',
    candidates.map((dir) => join(dir, 'initdb')),
  ).replace(/\/initdb$/, '');
}

async function osUserIds(user: string): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export function postgresUrl(settings: Omit<PostgresSettings, 'url'>): string {
  const user = encodeURIComponent(settings.user);
  const password = encodeURIComponent(settings.password);
  return `postgres://${user}:${password}@${settings.host}:${settings.port}/${encodeURIComponent(settings.database)}`;
}

/**
 * Starts a throwaway PostgreSQL cluster: `initdb` in a temporary directory, the server as the `postgres` OS
 * user on a free 127.0.0.1 port, password (SCRAM) authentication over TCP, and an application role and
 * database. Durability is switched off (fsync, synchronous_commit) because the data dies with the run.
 */
export async function startPostgres(): Promise<RunningService<PostgresSettings>> {
  const bin = postgresBinDir();
  const dir = await makeServiceDir('postgres');
  try {
    const { uid, gid } = await osUserIds(POSTGRES_OS_USER);
    const dataDir = join(dir, 'data');
    const socketDir = join(dir, 'socket');
    await mkdir(socketDir);
    await chown(dir, uid, gid);
    await chown(socketDir, uid, gid);

    const superPassword = throwawayPassword();
    const pwFile = join(dir, 'superuser.pw');
    await writeFile(pwFile, superPassword, { mode: 0o600 });
    await chown(pwFile, uid, gid);
    await run(
      'setpriv',
      [
        '--reuid',
        POSTGRES_OS_USER,
        '--regid',
        POSTGRES_OS_USER,
        '--init-groups',
        '--',
        join(bin, 'initdb'),
        '--pgdata',
        dataDir,
        '--username',
        'postgres',
        '--pwfile',
        pwFile,
        '--auth-local',
        'trust',
        '--auth-host',
        'scram-sha-256',
        '--encoding',
        'UTF8',
        '--locale',
        'C.UTF-8',
        '--no-sync',
      ],
      { cwd: dir },
    );
    await rm(pwFile);

    const port = await freePort();
    const { server, readiness: version } = await startServer({
      service: 'postgres',
      dir,
      process: {
        command: join(bin, 'postgres'),
        args: [
          '-D',
          dataDir,
          '-p',
          String(port),
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          `unix_socket_directories=${socketDir}`,
          '-c',
          'fsync=off',
          '-c',
          'synchronous_commit=off',
          '-c',
          'full_page_writes=off',
          '-c',
          'max_connections=200',
        ],
        user: POSTGRES_OS_USER,
        stopSignal: 'SIGINT',
        graceMs: 10_000,
      },
      readyTimeoutMs: 60_000,
      ready: async () => {
        const client = new pg.Client({
          host: '127.0.0.1',
          port,
          user: 'postgres',
          password: superPassword,
          database: 'postgres',
        });
        await client.connect();
        try {
          const result = await client.query<{ server_version: string }>('SHOW server_version');
          return result.rows[0]?.server_version;
        } finally {
          await client.end();
        }
      },
    });

    const password = throwawayPassword();
    const admin = new pg.Client({
      host: '127.0.0.1',
      port,
      user: 'postgres',
      password: superPassword,
      database: 'postgres',
    });
    await admin.connect();
    try {
      // Identifiers are constants; the password is a generated hex string, so literal quoting is safe.
      await admin.query(`CREATE ROLE ${APP_ROLE} LOGIN CREATEDB PASSWORD '${password}'`);
      await admin.query(`CREATE DATABASE ${APP_DATABASE} OWNER ${APP_ROLE}`);
    } finally {
      await admin.end();
    }

    const base = { host: '127.0.0.1', port, user: APP_ROLE, password, database: APP_DATABASE };
    const settings: PostgresSettings = { ...base, url: postgresUrl(base) };
    let stopped: Promise<void> | undefined;
    return {
      settings,
      description: `PostgreSQL ${version} on 127.0.0.1:${port} (run as OS user ${POSTGRES_OS_USER})`,
      stop: () => (stopped ??= server.stop().then(() => removeServiceDir(dir))),
    };
  } catch (error) {
    await removeServiceDir(dir);
    if (error instanceof HarnessError) throw error;
    throw new HarnessError(
      'SERVICE_START_FAILED',
      `postgres: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
}
