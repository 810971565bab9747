import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, waitUntil } from '../../harness/index.js';
import { requireTool, toolEnv } from './tools.js';

/**
 * A real OCI registry on loopback: distribution's `registry serve` (built by scripts/bootstrap.sh), plain HTTP,
 * storage in a temporary folder removed by `stop()` unless `storage` names one to keep. Helm pushes charts to it,
 * Docker pushes images to it (Docker talks plain HTTP to registries on 127.0.0.0/8).
 */
export interface OciRegistry {
  /** `127.0.0.1:<port>` */
  readonly address: string;
  stop(): Promise<void>;
}

export interface OciRegistryOptions {
  /** Keep the registry's blobs in this folder across runs (a push then uploads only what is new). */
  readonly storage?: string;
}

export async function startOciRegistry(options: OciRegistryOptions = {}): Promise<OciRegistry> {
  const work = await mkdtemp(path.join(tmpdir(), 'apexseo-oci-'));
  const address = `127.0.0.1:${await freePort()}`;
  const config = path.join(work, 'registry.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${options.storage ?? path.join(work, 'storage')}`,
      'http:',
      `  addr: ${address}`,
      '',
    ].join('\n'),
  );
  const registry = spawn(requireTool('registry'), ['serve', config], {
    // No tracing exporter: distribution would otherwise retry an OTLP endpoint on localhost.
    env: { ...toolEnv(), OTEL_TRACES_EXPORTER: 'none' },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const killOnExit = (): void => {
    registry.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (registry.exitCode === null && registry.signalCode === null) {
      const exited = new Promise((resolve) => registry.once('exit', resolve));
      registry.kill('SIGTERM');
      await exited;
    }
    await rm(work, { recursive: true, force: true });
  };
  try {
    await waitUntil(async () => ((await fetch(`http://${address}/v2/`)).status === 200 ? true : undefined), {
      what: `registry at ${address} to answer /v2/`,
      timeoutMs: 10_000,
      intervalMs: 100,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { address, stop };
}
