import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarnessError } from '../errors.js';

/** Repository root, found from this file so scripts and tests work from any current directory. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Where bootstrap.sh installs the pinned tools. */
export const toolsDir = join(repoRoot, '.tools');

/**
 * Parent of every server's temporary directory. `APEXSEO_HARNESS_TMPDIR` moves it, which lets a check find
 * exactly the processes of one run (test/foundation/harness-cleanup.test.ts). It must be traversable by the
 * `postgres` OS user (mode 755 or like /tmp), since PostgreSQL's data directory lives below it.
 */
export function harnessTmpRoot(): string {
  return process.env.APEXSEO_HARNESS_TMPDIR ?? tmpdir();
}

export async function makeServiceDir(service: string): Promise<string> {
  return mkdtemp(join(harnessTmpRoot(), `apexseo-${service}-`));
}

export async function removeServiceDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** First existing path among candidates, or a TOOL_MISSING error that says how to get it. */
export function requireTool(tool: string, candidates: readonly string[]): string {
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new HarnessError(
      'TOOL_MISSING',
      `${tool} not found (looked at ${candidates.join(', ')}); run scripts/bootstrap.sh`,
    );
  }
  return found;
}

/** Random URL-safe secret for a throwaway server's users. */
export function throwawayPassword(): string {
  return `pw-${crypto.randomUUID().replaceAll('-', '')}`;
}
