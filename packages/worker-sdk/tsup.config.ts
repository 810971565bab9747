import { defineConfig } from 'tsup';

/**
 * Builds the published package: ESM (`.js`) and CommonJS (`.cjs`) with matching declarations (`.d.ts`,
 * `.d.cts`) for the two entry points in package.json's `exports`. `./workflow` is a separate entry because
 * workflow code runs in Temporal's deterministic sandbox and must not pull in Node-only modules.
 * Dependencies stay external (tsup's default for `dependencies`), so users share one copy of the Temporal SDK.
 */
export default defineConfig({
  entry: { index: 'src/index.ts', workflow: 'src/workflow.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  tsconfig: 'tsconfig.build.json',
  platform: 'node',
  target: 'node24',
  sourcemap: true,
  clean: true,
});
