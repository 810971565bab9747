import { execFile } from 'node:child_process';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HarnessError } from '../errors.js';
import { repoRoot, toolsDir } from '../services/workspace.js';

const run = promisify(execFile);

/** Where bootstrap.sh puts the cluster's binaries (scripts/lib/cluster-tools.sh). */
export const clusterToolsDir = join(toolsDir, 'cluster');

export interface BinaryImage {
  /** Image reference the cluster's manifests name. */
  tag: string;
  /** Binary in .tools/cluster/bin. */
  binary: string;
  /** Path of the binary inside the image (the command the manifests run). */
  path: string;
  /** Numeric user: `runAsNonRoot` pods need one the kubelet can check. */
  user: string;
}

/** The cluster's own images: the pod sandbox and the cluster DNS. */
export const clusterImages = {
  pause: { tag: 'registry.k8s.io/pause:3.10.1', binary: 'pause', path: '/pause', user: '65535:65535' },
  coredns: {
    tag: 'registry.k8s.io/coredns/coredns:v1.13.1',
    binary: 'coredns',
    path: '/coredns',
    user: '65532:65532',
  },
} as const satisfies Record<string, BinaryImage>;

/**
 * KEDA's three images, each holding one of the binaries the bootstrap built from KEDA's v2.20.2 module, FROM
 * scratch, tagged as KEDA's chart names them by default: the chart installs with its own image values (only the pull
 * policy changes, as no registry is reachable).
 */
export const kedaImages = {
  operator: {
    tag: 'ghcr.io/kedacore/keda:2.20.2',
    binary: 'keda-operator',
    path: '/keda',
    user: '65532:65532',
  },
  metricsServer: {
    tag: 'ghcr.io/kedacore/keda-metrics-apiserver:2.20.2',
    binary: 'keda-adapter',
    path: '/keda-adapter',
    user: '65532:65532',
  },
  webhooks: {
    tag: 'ghcr.io/kedacore/keda-admission-webhooks:2.20.2',
    binary: 'keda-webhooks',
    path: '/keda-admission-webhooks',
    user: '65532:65532',
  },
} as const satisfies Record<string, BinaryImage>;

async function docker(args: string[], input?: string): Promise<string> {
  const child = run('docker', args, { maxBuffer: 16 * 1024 * 1024 });
  if (input !== undefined) child.child.stdin?.end(input);
  try {
    return (await child).stdout.trim();
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new HarnessError('SERVICE_START_FAILED', `docker ${args[0] ?? ''} failed: ${stderr.trim()}`, {
      cause: error,
    });
  }
}

/**
 * Writes the image as a `docker save` archive (what containerd imports) and returns its path. The archive is kept
 * in .tools/cluster/images beside the image id it was saved from, so a run with nothing changed only asks Docker
 * for the id: the build is a layer-cache hit and the save is skipped.
 */
export async function saveImage(tag: string, name: string): Promise<string> {
  const dir = join(clusterToolsDir, 'images');
  await mkdir(dir, { recursive: true });
  const archive = join(dir, `${name}.tar`);
  const idFile = `${archive}.id`;
  const id = await docker(['image', 'inspect', '--format', '{{.Id}}', tag]);
  const saved = await readFile(idFile, 'utf8').catch(() => '');
  if (saved !== id) {
    await rm(idFile, { force: true });
    await docker(['save', '--output', archive, tag]);
    await writeFile(idFile, id);
  }
  return archive;
}

let dockerAnswers: Promise<unknown> | undefined;

/**
 * Starts Docker when no engine answers (scripts/docker.sh, as scripts/images.sh does), once per process: the test
 * command starts it before vitest, but a test file run on its own may be the first to need it.
 */
function ensureDocker(): Promise<unknown> {
  dockerAnswers ??= run(join(repoRoot, 'scripts/docker.sh'), []).catch((error: unknown) => {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new HarnessError('TOOL_MISSING', `scripts/docker.sh failed: ${stderr.trim()}`, { cause: error });
  });
  return dockerAnswers;
}

/** Builds one binary image with Docker (FROM scratch; only the binary is sent as build context). */
export async function buildBinaryImage(image: BinaryImage): Promise<string> {
  await ensureDocker();
  const context = join(clusterToolsDir, 'images', image.binary);
  await mkdir(context, { recursive: true });
  // A hard link keeps the binary's own mtime, so an unchanged binary is a build-cache hit.
  await rm(join(context, 'binary'), { force: true });
  await link(join(clusterToolsDir, 'bin', image.binary), join(context, 'binary'));
  const dockerfile = [
    'FROM scratch',
    `COPY binary ${image.path}`,
    `USER ${image.user}`,
    `ENTRYPOINT ["${image.path}"]`,
    '',
  ].join('\n');
  await docker(['build', '--quiet', '--tag', image.tag, '--file', '-', context], dockerfile);
  return saveImage(image.tag, image.binary);
}
