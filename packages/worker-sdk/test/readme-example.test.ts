/**
 * The newcomer's path, from the package README alone: in a folder outside the repository, a fresh ESM TypeScript
 * project installs the packed tarball with the README's install lines, writes the README's `tsconfig.json` and its
 * five quick-start files verbatim, type-checks them, runs the README's test file with the testing kit (a tenant
 * scored, a revoked-key tenant parked and resumed), then runs the worker with `apexseo-dev` and starts a workflow
 * with the README's client.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const sdkDir = fileURLToPath(new URL('../', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const temporalCli = process.env['TEMPORAL_CLI_PATH'] ?? join(repoRoot, '.tools/bin/temporal');
const QUICK_START_FILES = ['activities.ts', 'workflows.ts', 'worker.ts', 'client.ts', 'score-text.test.ts'];

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_'))),
    ...extra,
  };
}

/** The fenced block of `lang` that follows the line naming `file` (e.g. "`activities.ts`:"). */
export function readmeBlock(readme: string, file: string, lang = 'ts'): string {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(
    '`' + escaped + '`[^\\n]*(?:\\n[^\\n`]+)*\\n\\n```' + lang + '\\n([\\s\\S]*?)\\n```',
  );
  const match = pattern.exec(readme);
  if (!match?.[1]) throw new Error(`README has no ${lang} block for ${file}`);
  return `${match[1]}\n`;
}

/** The first fenced block of `lang` in the README section `heading`. */
function sectionBlock(readme: string, heading: string, lang: string): string {
  const section = readme.slice(readme.indexOf(`\n${heading}\n`));
  const match = new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```').exec(section);
  if (!match?.[1]) throw new Error(`README section ${heading} has no ${lang} block`);
  return match[1];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let work: string;
let app: string;
let readme: string;

beforeAll(async () => {
  if (!existsSync(temporalCli))
    throw new Error(`no Temporal CLI at ${temporalCli} (run scripts/bootstrap.sh)`);
  if (!existsSync(join(sdkDir, 'dist/testing.js')))
    await run('npm', ['run', 'build'], { cwd: sdkDir, env: cleanEnv() });
  work = await mkdtemp(join(tmpdir(), 'apexseo-newcomer-'));
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
    JSON.stringify({ name: 'newcomer', private: true, type: 'module' }),
  );
  readme = await readFile(join(sdkDir, 'README.md'), 'utf8');

  // The README's install lines, with the published name swapped for the tarball (the only change).
  const installLines = sectionBlock(readme, '## Install', 'sh').split('\n').filter(Boolean);
  expect(installLines).toHaveLength(2);
  for (const line of installLines) {
    const [npm, ...args] = line.replace('@apexseo/worker-sdk', join(work, packed.filename)).split(/\s+/);
    expect(npm).toBe('npm');
    await run('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: app,
      env: cleanEnv(),
    });
  }
  await writeFile(join(app, 'tsconfig.json'), sectionBlock(readme, '## Install', 'json'));
  for (const file of QUICK_START_FILES) await writeFile(join(app, file), readmeBlock(readme, file));
}, 600_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('package README, followed by a newcomer', () => {
  it('should type-check the quick start against the published types', async () => {
    await run(join(app, 'node_modules/.bin/tsc'), ['-p', app], { cwd: app, env: cleanEnv() });
  }, 120_000);

  it('should pass the README test: a tenant scored, a revoked-key tenant parked and resumed', async () => {
    const { stdout, stderr } = await run(
      join(app, 'node_modules/.bin/tsx'),
      ['--test', 'score-text.test.ts'],
      {
        cwd: app,
        env: cleanEnv({ TEMPORAL_CLI_PATH: temporalCli }),
        timeout: 240_000,
      },
    ).catch((err: { stdout?: string; stderr?: string }) => {
      throw new Error(`README test failed:\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
    });
    // Node's test runner summary: `ℹ pass 2` (spec reporter) or `# pass 2` (TAP reporter).
    const summary = stdout.split('\n').filter((l) => /^[ℹ#] (tests|pass|fail) /.test(l));
    console.info(`[readme] node --test: ${summary.join(', ')}`);
    expect(stdout).toMatch(/^[ℹ#] pass 2$/m);
    expect(stdout).toMatch(/^[ℹ#] fail 0$/m);
    expect(`${stdout}${stderr}`).not.toContain('sk-ant-test-revoked');
  }, 300_000);

  it('should run the worker with apexseo-dev and score a text started by the README client', async () => {
    const devLine = sectionBlock(readme, '## Quick start', 'sh')
      .split('\n')
      .find((l) => l.startsWith('npx apexseo-dev'));
    if (!devLine) throw new Error('README quick start has no apexseo-dev line');
    const [, ...devArgs] = (devLine.split('#')[0] ?? '').trim().split(/\s+/);
    const split = devArgs.indexOf('--');
    // A free port instead of 7233, which may be taken on a shared machine (the documented --temporal-port option).
    const port = await freePort();
    const args = [...devArgs.slice(0, split), '--temporal-port', String(port), ...devArgs.slice(split)];
    const dev = spawn(join(app, 'node_modules/.bin/apexseo-dev'), args.slice(1), {
      cwd: app,
      env: cleanEnv({ TEMPORAL_CLI_PATH: temporalCli }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(args[0]).toBe('apexseo-dev');
    let output = '';
    dev.stdout.on('data', (d: Buffer) => (output += d.toString()));
    dev.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => dev.once('exit', resolve));
    try {
      const deadline = Date.now() + 120_000;
      while (!output.includes('"msg":"worker starting"')) {
        if (dev.exitCode !== null || Date.now() > deadline)
          throw new Error(`worker did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const { stdout } = await run(join(app, 'node_modules/.bin/tsx'), ['client.ts', 'acme'], {
        cwd: app,
        env: cleanEnv({ APEXSEO_TEMPORAL_ADDRESS: `127.0.0.1:${port}`, APEXSEO_TASK_QUEUE: 'dev' }),
        timeout: 120_000,
      });
      expect(stdout).toMatch(/^score for acme: \d+$/m);
    } finally {
      dev.kill('SIGINT');
    }
    const code = await Promise.race([
      exited,
      new Promise((r) => setTimeout(() => r('still running'), 60_000)),
    ]);
    if (code === 'still running') dev.kill('SIGKILL');
    expect(code, output).toBe(0);
    expect(output).toContain('apexseo-dev: tenants acme (openai)');
    expect(output).not.toContain('sk-local-acme');
  }, 300_000);
});
