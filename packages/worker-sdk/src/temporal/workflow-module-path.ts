import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the SDK's `./workflow` entry, used as a workflow interceptor module. Works from the published
 * bundle (dist/index.js → dist/workflow.js, or .cjs) and from source (the bundler compiles .ts).
 */
export function sdkWorkflowModulePath(): string {
  // ESM (source and dist/index.js) has import.meta.url; the CJS build replaces import.meta with {} and has __filename.
  const metaUrl = (import.meta as { url?: string }).url;
  const here = metaUrl ? fileURLToPath(metaUrl) : __filename;
  const candidates = [dirname(here), join(dirname(here), '..')].flatMap((dir) =>
    ['workflow.js', 'workflow.cjs', 'workflow.ts'].map((name) => join(dir, name)),
  );
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`Cannot locate @apexseo/worker-sdk/workflow next to ${here}`);
  return found;
}
