import { defineConfig } from 'tsup';

/**
 * Builds the published package: ESM (`.js`) and CommonJS (`.cjs`) with matching declarations (`.d.ts`,
 * `.d.cts`) for the entry points in package.json's `exports`. `./workflow` is a separate entry because workflow
 * code runs in Temporal's deterministic sandbox and must not pull in Node-only modules; `./testing` is separate so
 * that only tests and local development load `@temporalio/testing` (an optional peer dependency).
 * `apexseo-dev` is the local development command (package.json `bin` runs its ESM build).
 * Dependencies and peers stay external (tsup's default), so users share one copy of the Temporal SDK.
 */
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    workflow: 'src/workflow.ts',
    testing: 'src/testing.ts',
    'apexseo-dev': 'src/dev/apexseo-dev.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  tsconfig: 'tsconfig.build.json',
  platform: 'node',
  target: 'node24',
  sourcemap: true,
  clean: true,
});
