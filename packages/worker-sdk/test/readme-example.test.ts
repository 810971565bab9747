/**
 * The package README's quick start, run as written: its `activities.ts`, `workflows.ts` and `worker.ts` blocks are
 * copied into a folder outside the repository that installs the packed tarball, compiled with tsc against the
 * published types, and run against the real Temporal dev server, the real key service and the LLM stand-in.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planSearchAttribute, tenantIdSearchAttribute } from '../src/workflow.js';
import { startPlatform, type Platform } from './integration/platform.js';

const run = promisify(execFile);
const sdkDir = fileURLToPath(new URL('../', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const TENANT_KEY = 'sk-readme-tenant-key-a1b2c3d4e5f6';

function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
}

/** The ```ts block that follows the line naming `file` (e.g. "`activities.ts`:"). */
export function readmeBlock(readme: string, file: string): string {
  const pattern = new RegExp('`' + file.replace('.', '\\.') + '`[^\\n]*\\n\\n```ts\\n([\\s\\S]*?)\\n```');
  const match = pattern.exec(readme);
  if (!match?.[1]) throw new Error(`README has no ts block for ${file}`);
  return match[1];
}

let work: string;
let app: string;
let platform: Platform;

beforeAll(async () => {
  if (!existsSync(join(sdkDir, 'dist/index.js')))
    await run('npm', ['run', 'build'], { cwd: sdkDir, env: cleanEnv() });
  work = await mkdtemp(join(tmpdir(), 'apexseo-readme-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: sdkDir,
    env: cleanEnv(),
  });
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  if (!packed) throw new Error('npm pack reported no tarball');
  app = join(work, 'app');
  await mkdir(app);
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({ name: 'readme-app', private: true, type: 'module' }),
  );
  // As the README says: the SDK, @temporalio/workflow and zod.
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
      '@temporalio/workflow@1.24.0',
      'zod@4',
    ],
    { cwd: app, env: cleanEnv() },
  );
  const readme = await readFile(join(sdkDir, 'README.md'), 'utf8');
  for (const file of ['activities.ts', 'workflows.ts', 'worker.ts'])
    await writeFile(join(app, file), readmeBlock(readme, file));
  await writeFile(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2024',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        skipLibCheck: true,
        typeRoots: [join(repoRoot, 'node_modules/@types')],
        types: ['node'],
        outDir: '.',
      },
      files: ['activities.ts', 'workflows.ts', 'worker.ts'],
    }),
  );
  await run(join(repoRoot, 'node_modules/.bin/tsc'), ['-p', app], { cwd: app, env: cleanEnv() });
  platform = await startPlatform('sdk_readme');
}, 600_000);

afterAll(async () => {
  await platform?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('package README quick start', () => {
  it('should score a text with the tenant key through the README worker, then stop on SIGTERM', async () => {
    await platform.putKey('tenant-readme', 'openai', TENANT_KEY);
    platform.llm.setDefault(TENANT_KEY, { kind: 'ok', json: { score: 91, reason: 'cites sources' } });
    const taskQueue = `sdk-readme-${Date.now()}`;
    const child = spawn(process.execPath, ['worker.js'], {
      cwd: app,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? tmpdir(),
        ...platform.workerEnv(taskQueue),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const score = await platform.client.workflow.execute<(input: unknown) => Promise<number>>(
        'scoreTextWorkflow',
        {
          taskQueue,
          workflowId: `readme-${Date.now()}`,
          args: [{ tenantId: 'tenant-readme', plan: 'mrr', text: 'We cite our sources.' }],
          typedSearchAttributes: [
            { key: tenantIdSearchAttribute, value: 'tenant-readme' },
            { key: planSearchAttribute, value: 'mrr' },
          ],
        },
      );
      expect(score).toBe(91);
      expect(platform.llm.calls(TENANT_KEY)).toBe(1);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).not.toContain(TENANT_KEY);
  }, 240_000);
});
