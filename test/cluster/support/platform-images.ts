import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { saveImage } from '../../harness/cluster/images.js';
import { repoRoot } from '../../harness/services/workspace.js';
import { buildImages } from '../../images/support/containers.js';

const run = promisify(execFile);

/**
 * The project's two images as `docker save` archives for the cluster's node, named as the chart names them by
 * default (`image.registry` of values.yaml, the chart's appVersion): the release installs with its own image
 * values, only the pull policy changes. scripts/images.sh builds them (a layer-cache hit after the test command
 * built them); an unchanged image is not saved again.
 */
export function platformImageArchives(): Promise<string>[] {
  const built = Promise.all([buildImages(), chartValues()]);
  return (['eeat-worker', 'key-service'] as const).map(async (name) => {
    const [images, values] = await built;
    const ref = `${values.image.registry}/${name}:${images.tag}`;
    await run('docker', ['tag', images[name].id, ref]);
    return saveImage(ref, name);
  });
}

async function chartValues(): Promise<{ image: { registry: string } }> {
  return parse(await readFile(join(repoRoot, 'charts/apexseo/values.yaml'), 'utf8')) as {
    image: { registry: string };
  };
}
