import { defineConfig } from 'tsup';

/**
 * Builds the worker binary (`dist/main.js`), its analysis thread (`dist/analysis-thread.js`) and the `apexseo` CLI
 * (`dist/cli.js`) as ESM for Node 24.
 * Dependencies stay external (installed next to the image's node_modules). The workflow code is not built
 * here: `npm run build` then runs `src/worker/build-workflow-bundle.ts`, which writes the prebuilt Temporal
 * bundle (`dist/workflow-bundle.js`) that production workers load instead of running webpack at start-up.
 */
export default defineConfig({
  // The analysis thread is its own entry: worker threads load it by file name (src/analysis/page-analysis-pool.ts).
  entry: {
    main: 'src/main.ts',
    cli: 'src/cli/main.ts',
    'analysis-thread': 'src/analysis/analysis-thread.ts',
  },
  format: ['esm'],
  platform: 'node',
  target: 'node24',
  sourcemap: true,
  clean: true,
  splitting: true,
});
