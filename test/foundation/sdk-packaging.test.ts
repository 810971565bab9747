import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

const run = promisify(execFile);
const sdkDir = fileURLToPath(new URL('../../packages/worker-sdk/', import.meta.url));

/** npm refuses nothing, but inherited npm_* variables (from `npm test`) would point it at the workspace. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
  );
}

const packResult = z.array(
  z.object({ filename: z.string(), files: z.array(z.object({ path: z.string() })) }),
);
const exportNames = z.object({ index: z.array(z.string()), workflow: z.array(z.string()) });

const esmProbe = `
const index = await import('@apexseo/worker-sdk');
const workflow = await import('@apexseo/worker-sdk/workflow');
console.log(JSON.stringify({ index: Object.keys(index).filter((k) => k !== 'default').sort(), workflow: Object.keys(workflow).filter((k) => k !== 'default').sort() }));
`;
const cjsProbe = `
const index = require('@apexseo/worker-sdk');
const workflow = require('@apexseo/worker-sdk/workflow');
console.log(JSON.stringify({ index: Object.keys(index).sort(), workflow: Object.keys(workflow).sort() }));
`;

// The published artifact, installed the way a user installs it: from the tarball, in a folder outside the
// repository, so nothing resolves through the workspace's node_modules.
describe('@apexseo/worker-sdk tarball', () => {
  let work: string;
  let consumer: string;
  let files: string[];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'apexseo-sdk-pack-'));
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: sdkDir,
      env: cleanEnv(),
    });
    const [packed] = packResult.parse(JSON.parse(stdout));
    if (packed === undefined) throw new Error('npm pack reported no tarball');
    files = packed.files.map((file) => file.path);
    consumer = join(work, 'consumer');
    await mkdir(consumer);
    await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'sdk-consumer', private: true }));
    // Dependencies come from the local npm cache the workspace install filled; the registry only if missing.
    await run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--loglevel=error',
        join(work, packed.filename),
      ],
      { cwd: consumer, env: cleanEnv() },
    );
  }, 600_000);

  afterAll(async () => {
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  async function probe(kind: 'esm' | 'cjs'): Promise<z.infer<typeof exportNames>> {
    const args =
      kind === 'esm' ? ['--input-type=module', '-e', esmProbe] : ['--input-type=commonjs', '-e', cjsProbe];
    const { stdout } = await run(process.execPath, args, { cwd: consumer, env: cleanEnv() });
    return exportNames.parse(JSON.parse(stdout));
  }

  it('should ship only the build output and package metadata', () => {
    const unexpected = files.filter(
      (path) => !/^(dist\/|package\.json$|README\.md$|CHANGELOG\.md$|LICENSE$)/.test(path),
    );
    expect(unexpected).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining(['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts']),
    );
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/workflow.js',
        'dist/workflow.cjs',
        'dist/workflow.d.ts',
        'dist/workflow.d.cts',
      ]),
    );
    // The testing kit, the local development command, and what the README and package.json promise.
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/testing.js',
        'dist/testing.cjs',
        'dist/testing.d.ts',
        'dist/testing.d.cts',
        'dist/apexseo-dev.js',
        'README.md',
        'CHANGELOG.md',
      ]),
    );
  });

  it('should import both entry points as ESM and require both as CommonJS with the same exports', async () => {
    const [esm, cjs] = [await probe('esm'), await probe('cjs')];
    console.info(
      `[foundation] SDK tarball: ${esm.index.length} exports from '.', ${esm.workflow.length} from './workflow' (ESM = CJS)`,
    );
    expect(cjs).toEqual(esm);
  });
});
