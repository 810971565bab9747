/**
 * Runs the project's images the way the chart runs them: host network (the harness's servers listen on
 * 127.0.0.1), uid 1000, a read-only root filesystem with a tmpfs on /tmp. The images come from
 * scripts/images.sh, which the test command runs first (Docker's layer cache: seconds when nothing changed).
 *
 * Environment variables reach a container by name only (`-e NAME`, the value taken from the docker CLI's own
 * environment), so no value appears in a command line. Every container carries the label
 * org.apexseo.test-owner=<pid of the test process> and is removed when that process exits; one left behind by a
 * test process killed outright is removed by the next run's `removeOrphanContainers()`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerLauncher } from '../../../packages/eeat-worker/test/local-stack/worker-process.js';
import type { KeyServiceLauncher } from '../../harness/key-service.js';
import { runToExit, type ExitedProcess } from '../../harness/process/run-to-exit.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const OWNER_LABEL = 'org.apexseo.test-owner';
/** The user the chart runs both images as (securityContext runAsUser/runAsGroup). */
export const CONTAINER_USER = '1000:1000';

export interface BuiltImage {
  /** e.g. `apexseo/eeat-worker:0.1.0` */
  readonly ref: string;
  /** `sha256:...`: the image this checkout's sources built, whatever the tag points at later. */
  readonly id: string;
}

export interface BuiltImages {
  readonly tag: string;
  readonly base: string;
  readonly 'eeat-worker': BuiltImage;
  readonly 'key-service': BuiltImage;
}

export type RunResult = ExitedProcess;

/** Runs a command (no shell) and resolves with its exit code and combined output. */
export function run(command: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<RunResult> {
  return runToExit(spawn(command, args, { cwd: REPO_ROOT, env: env ?? process.env, stdio: 'pipe' }));
}

/** Builds both images (a cache hit when scripts/test.sh just did) and returns what this checkout built. */
export async function buildImages(): Promise<BuiltImages> {
  const built = await run(join(REPO_ROOT, 'scripts/images.sh'), []);
  if (built.code !== 0)
    throw new Error(`scripts/images.sh failed (${built.code}):\n${built.output.slice(-4000)}`);
  return JSON.parse(await readFile(join(REPO_ROOT, '.run/images.json'), 'utf8')) as BuiltImages;
}

export interface ContainerOptions {
  /** The container's environment; PATH and HOME (the test process's) are not passed on. */
  readonly env?: NodeJS.ProcessEnv;
  /** Host folders mounted read-only at the same path, handed to uid 1000 first. */
  readonly mounts?: readonly string[];
  readonly entrypoint?: string;
  readonly workdir?: string;
}

function handToContainerUser(dir: string): void {
  if (process.getuid?.() === 0) {
    execFileSync('chown', ['-R', CONTAINER_USER, dir]);
  } else if (process.getuid?.() !== 1000) {
    throw new Error(
      `the container runs as ${CONTAINER_USER} and could not read ${dir}: run the tests as root`,
    );
  }
}

/** `docker run` (attached: output on the returned process, SIGTERM forwarded to the container). */
export function startContainer(
  image: string,
  args: readonly string[],
  options: ContainerOptions = {},
): ChildProcess {
  const name = `apexseo-test-${randomBytes(5).toString('hex')}`;
  const env = Object.fromEntries(
    Object.entries(options.env ?? {}).filter(
      ([key, value]) => key !== 'PATH' && key !== 'HOME' && value !== undefined,
    ),
  );
  for (const dir of options.mounts ?? []) handToContainerUser(dir);
  const flags = [
    'run',
    '--rm',
    '--name',
    name,
    '--label',
    `${OWNER_LABEL}=${process.pid}`,
    '--network',
    'host',
    '--user',
    CONTAINER_USER,
    '--read-only',
    '--tmpfs',
    '/tmp',
    ...(options.mounts ?? []).flatMap((dir) => ['-v', `${dir}:${dir}:ro`]),
    ...Object.keys(env).flatMap((key) => ['-e', key]),
    ...(options.entrypoint ? ['--entrypoint', options.entrypoint] : []),
    ...(options.workdir ? ['--workdir', options.workdir] : []),
    image,
    ...args,
  ];
  const child = spawn('docker', flags, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Killing the docker CLI does not stop its container: remove the container when this process exits.
  const removeOnExit = (): void => {
    try {
      execFileSync('docker', ['rm', '--force', name], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  };
  process.once('exit', removeOnExit);
  child.once('exit', () => process.removeListener('exit', removeOnExit));
  return child;
}

/** Runs a container to its exit. */
export function runContainer(
  image: string,
  args: readonly string[],
  options: ContainerOptions = {},
): Promise<RunResult> {
  return runToExit(startContainer(image, args, options));
}

/** Removes the test containers of test processes that no longer exist. */
export async function removeOrphanContainers(): Promise<void> {
  const list = await run('docker', [
    'ps',
    '--all',
    '--filter',
    `label=${OWNER_LABEL}`,
    '--format',
    `{{.ID}} {{.Label "${OWNER_LABEL}"}}`,
  ]);
  if (list.code !== 0) throw new Error(`docker ps failed:\n${list.output}`);
  for (const line of list.output.split('\n').filter(Boolean)) {
    const [id, owner] = line.split(' ');
    if (!id || owner === undefined || isAlive(Number(owner))) continue;
    await run('docker', ['rm', '--force', id]);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Key-service commands from its image, with the key ring and key set folder mounted read-only. */
export function keyServiceFromImage(image: string): KeyServiceLauncher {
  return (command, env, dir) => startContainer(image, [command], { env, mounts: [dir] });
}

/** The worker binary from its image; `mounts` holds the folder of its key-service token file. */
export function workerFromImage(image: string, mounts: readonly string[]): WorkerLauncher {
  return (env) => startContainer(image, [], { env, mounts });
}
