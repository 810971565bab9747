/**
 * Writes the prebuilt workflow bundle (`dist/workflow-bundle.js`) with the SDK's workflow interceptors baked in.
 * Run at build time (`npm run build`, the Docker build stage): production workers load it and skip webpack.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflows } from '@apexseo/worker-sdk';

const outFile = process.argv[2] ?? fileURLToPath(new URL('../../dist/workflow-bundle.js', import.meta.url));
await mkdir(dirname(outFile), { recursive: true });
const bundle = await bundleWorkflows({
  workflowsPath: fileURLToPath(new URL('../workflows/index.ts', import.meta.url)),
  outFile,
});
process.stdout.write(`workflow bundle: ${outFile} (${Math.round(bundle.code.length / 1024)} KiB)\n`);
