/**
 * Starts a real key-service process (the package's `main.ts`, as the chart runs it) for tests of other
 * parts: it migrates the given database, writes a throwaway local KEK key ring and a local JWKS, and
 * mints worker tokens signed like a cluster's projected ServiceAccount tokens.
 *
 * @example
 * const { postgres } = await useServices('postgres');
 * const keys = await startKeyService({ postgres: await createDatabase('keys') });
 * const token = await keys.mintWorkerToken({ namespace: 'apexseo', serviceAccount: 'eeat-worker' });
 * await keys.stop();
 *
 * `launch` runs the same commands some other way, e.g. from the key-service image (test/images).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { runToExit } from './process/run-to-exit.js';
import type { PostgresSettings } from './settings.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(REPO_ROOT, 'packages/key-service/src/main.ts');

export const KEY_SERVICE_TEST_ISSUER = 'https://kubernetes.default.svc';
export const KEY_SERVICE_TEST_AUDIENCE = 'apexseo-key-service';
export const DEFAULT_WORKER_NAMESPACE = 'apexseo';
export const DEFAULT_WORKER_SERVICE_ACCOUNT = 'eeat-worker';

export type KeyServiceCommand = 'serve' | 'migrate' | 'rewrap';

/**
 * Starts one key-service command with the given environment and returns its process; output on stdout/stderr.
 * `dir` holds the files the environment names (key ring, key set).
 */
export type KeyServiceLauncher = (
  command: KeyServiceCommand,
  env: NodeJS.ProcessEnv,
  dir: string,
) => ChildProcess;

/** The default: `main.ts <command>` of this checkout, run by Node with tsx. */
export const launchFromSource: KeyServiceLauncher = (command, env) =>
  spawn(process.execPath, ['--import', 'tsx', MAIN, command], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

export interface StartKeyServiceOptions {
  /** Database to use (from `useServices('postgres')` or `createDatabase(...)`). */
  readonly postgres: PostgresSettings;
  /** Allowed worker subjects. Default `system:serviceaccount:apexseo:eeat-worker`. */
  readonly allowedSubjects?: readonly string[];
  /** Extra `KEY_SERVICE_*` variables, e.g. `KEY_SERVICE_BREAKER_COOLDOWN_SECONDS`. */
  readonly env?: Readonly<Record<string, string>>;
  /** KEK versions in the generated key ring (the highest is current). Default `[1]`. */
  readonly kekVersions?: readonly number[];
  /** @default launchFromSource */
  readonly launch?: KeyServiceLauncher;
}

export interface MintWorkerTokenOptions {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** jose duration (`'10m'`) or seconds since epoch. Default `'10m'`. */
  readonly expiresIn?: string | number;
  readonly audience?: string;
  readonly issuer?: string;
  readonly podName?: string;
}

export interface KeyServiceReplica {
  readonly url: string;
  readonly metricsUrl: string;
  /** Everything the process wrote to stdout and stderr so far (its JSON logs). */
  logs(): string;
  stop(): Promise<void>;
}

export interface RunningKeyService extends KeyServiceReplica {
  readonly adminToken: string;
  /** The temp folder with `kek.json` and `jwks.json` (removed by `stop()`). */
  readonly dir: string;
  readonly kekFile: string;
  /** The environment the service runs with (no secrets beyond the throwaway test KEK file path). */
  readonly env: Readonly<Record<string, string>>;
  mintWorkerToken(options?: MintWorkerTokenOptions): Promise<string>;
  /** Writes a fresh worker token for the default allowed subject to `<dir>/token` and returns its path. */
  writeTokenFile(dir: string, options?: MintWorkerTokenOptions): Promise<string>;
  /** Another process on the same database and key material (a second replica). */
  startReplica(extraEnv?: Readonly<Record<string, string>>): Promise<KeyServiceReplica>;
  /** Runs `main.ts <command>` with the service's environment and resolves with its exit code and output. */
  runCommand(
    command: 'migrate' | 'rewrap',
    extraEnv?: Readonly<Record<string, string>>,
  ): Promise<{ code: number; output: string }>;
}

async function spawnServe(child: ChildProcess): Promise<KeyServiceReplica> {
  let output = '';
  // A test runner that dies must not leave a service behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  const listening = new Promise<{ apiUrl: string; metricsUrl: string }>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`key-service did not start within 60 s:\n${output}`));
    }, 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      for (const line of output.split('\n')) {
        if (!line.includes('"event":"listening"')) continue;
        const parsed = JSON.parse(line) as { apiUrl: string; metricsUrl: string };
        clearTimeout(timer);
        resolvePromise({ apiUrl: parsed.apiUrl, metricsUrl: parsed.metricsUrl });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`key-service exited with ${String(code)} before listening:\n${output}`));
    });
  });
  const urls = await listening;
  let stopped: Promise<void> | undefined;
  return {
    url: urls.apiUrl,
    metricsUrl: urls.metricsUrl,
    logs: () => output,
    stop: () =>
      (stopped ??= new Promise<void>((resolvePromise) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolvePromise();
          return;
        }
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolvePromise();
        });
        child.kill('SIGTERM');
      })),
  };
}

/** Starts a migrated key-service on free loopback ports. */
export async function startKeyService(options: StartKeyServiceOptions): Promise<RunningKeyService> {
  const dir = await mkdtemp(join(tmpdir(), 'apexseo-key-service-'));
  try {
    const versions = options.kekVersions ?? [1];
    const kekFile = join(dir, 'kek.json');
    await writeFile(
      kekFile,
      JSON.stringify({
        currentVersion: Math.max(...versions),
        minimumDecryptionVersion: Math.min(...versions),
        keys: versions.map((version) => ({ version, key: randomBytes(32).toString('base64') })),
      }),
      { mode: 0o600 },
    );
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomBytes(8).toString('hex');
    const jwksFile = join(dir, 'jwks.json');
    await writeFile(
      jwksFile,
      JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] }),
    );
    const adminToken = randomBytes(32).toString('base64url');
    const allowed = options.allowedSubjects ?? [
      `system:serviceaccount:${DEFAULT_WORKER_NAMESPACE}:${DEFAULT_WORKER_SERVICE_ACCOUNT}`,
    ];

    const env: Record<string, string> = {
      KEY_SERVICE_HOST: '127.0.0.1',
      KEY_SERVICE_PORT: '0',
      KEY_SERVICE_METRICS_PORT: '0',
      KEY_SERVICE_PG_HOST: options.postgres.host,
      KEY_SERVICE_PG_PORT: String(options.postgres.port),
      KEY_SERVICE_PG_DATABASE: options.postgres.database,
      KEY_SERVICE_PG_USER: options.postgres.user,
      KEY_SERVICE_PG_PASSWORD: options.postgres.password,
      KEY_SERVICE_KEK_PROVIDER: 'local',
      KEY_SERVICE_KEK_FILE: kekFile,
      KEY_SERVICE_JWKS_FILE: jwksFile,
      KEY_SERVICE_TOKEN_ISSUER: KEY_SERVICE_TEST_ISSUER,
      KEY_SERVICE_TOKEN_AUDIENCE: KEY_SERVICE_TEST_AUDIENCE,
      KEY_SERVICE_ALLOWED_SUBJECTS: allowed.join(','),
      KEY_SERVICE_ADMIN_TOKEN_SHA256: createHash('sha256').update(adminToken).digest('hex'),
      KEY_SERVICE_RATE_LIMIT_PER_SECOND: '1000',
      KEY_SERVICE_RATE_LIMIT_BURST: '2000',
      ...options.env,
    };
    const processEnv = (extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      ...env,
      ...extra,
    });

    const launch = options.launch ?? launchFromSource;
    const migrated = await runToExit(launch('migrate', processEnv(), dir));
    if (migrated.code !== 0)
      throw new Error(`key-service migrate failed (${migrated.code}):\n${migrated.output}`);
    const main = await spawnServe(launch('serve', processEnv(), dir));

    const mintWorkerToken = async (
      mint: MintWorkerTokenOptions = {
        namespace: DEFAULT_WORKER_NAMESPACE,
        serviceAccount: DEFAULT_WORKER_SERVICE_ACCOUNT,
      },
    ) => signWorkerToken(privateKey, kid, mint);
    const replicas: KeyServiceReplica[] = [];

    return {
      ...main,
      adminToken,
      dir,
      kekFile,
      env,
      mintWorkerToken,
      async writeTokenFile(target: string, mint?: MintWorkerTokenOptions) {
        const path = join(target, 'token');
        await writeFile(path, await mintWorkerToken(mint), { mode: 0o600 });
        return path;
      },
      async startReplica(extraEnv) {
        const replica = await spawnServe(launch('serve', processEnv(extraEnv), dir));
        replicas.push(replica);
        return replica;
      },
      runCommand: (command, extraEnv) => runToExit(launch(command, processEnv(extraEnv), dir)),
      async stop() {
        await Promise.all([...replicas.map((r) => r.stop()), main.stop()]);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

function signWorkerToken(privateKey: CryptoKey, kid: string, mint: MintWorkerTokenOptions): Promise<string> {
  const podName = mint.podName ?? `${mint.serviceAccount}-${randomBytes(3).toString('hex')}`;
  return new SignJWT({
    'kubernetes.io': {
      namespace: mint.namespace,
      pod: { name: podName, uid: crypto.randomUUID() },
      serviceaccount: { name: mint.serviceAccount, uid: crypto.randomUUID() },
    },
  })
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer(mint.issuer ?? KEY_SERVICE_TEST_ISSUER)
    .setAudience(mint.audience ?? KEY_SERVICE_TEST_AUDIENCE)
    .setSubject(`system:serviceaccount:${mint.namespace}:${mint.serviceAccount}`)
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime(mint.expiresIn ?? '10m')
    .sign(privateKey);
}
