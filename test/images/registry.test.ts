import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOciRegistry, type OciRegistry } from '../chart/support/oci-registry.js';
import { REPO_ROOT, run, type BuiltImages } from './support/containers.js';

/**
 * Both images pushed to a real OCI registry on loopback (distribution, as the chart's OCI test runs it), so that a
 * cluster can pull them by digest: `scripts/images.sh --push HOST:PORT` prints `HOST:PORT/apexseo/<name>@sha256:...`.
 * The registry keeps its blobs in a machine cache (APEXSEO_IMAGE_REGISTRY_CACHE, default
 * ~/.cache/apexseo/image-registry): a push then uploads only the layers that changed instead of ~750 MB.
 */
const storage = process.env.APEXSEO_IMAGE_REGISTRY_CACHE ?? join(homedir(), '.cache/apexseo/image-registry');
let registry: OciRegistry;
const pulled: string[] = [];

beforeAll(async () => {
  await mkdir(storage, { recursive: true });
  registry = await startOciRegistry({ storage });
}, 60_000);

afterAll(async () => {
  for (const ref of pulled) await run('docker', ['rmi', ref]);
  await registry?.stop();
});

describe('images in the OCI registry', () => {
  it('should push both images and serve, by digest, the manifests of exactly the images built', async () => {
    const push = await run(join(REPO_ROOT, 'scripts/images.sh'), ['--push', registry.address]);
    expect(push.code, push.output).toBe(0);
    const built = JSON.parse(await readFile(join(REPO_ROOT, '.run/images.json'), 'utf8')) as BuiltImages;

    for (const name of ['eeat-worker', 'key-service'] as const) {
      const line = new RegExp(`^${registry.address}/apexseo/${name}@(sha256:[0-9a-f]{64})$`, 'm').exec(
        push.output,
      );
      expect(line, push.output).not.toBeNull();
      const digest = line![1]!;

      const manifest = await fetch(`http://${registry.address}/v2/apexseo/${name}/manifests/${digest}`, {
        headers: {
          accept:
            'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
        },
      });
      expect(manifest.status).toBe(200);
      expect(manifest.headers.get('docker-content-digest')).toBe(digest);
      // An image's id is the digest of its config: the registry holds the very image this checkout built.
      const body = (await manifest.json()) as { config: { digest: string } };
      expect(body.config.digest).toBe(built[name].id);

      const ref = `${registry.address}/apexseo/${name}@${digest}`;
      const pull = await run('docker', ['pull', ref]);
      expect(pull.code, pull.output).toBe(0);
      pulled.push(ref);
    }
  }, 600_000);
});
