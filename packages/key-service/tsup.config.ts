import { defineConfig } from 'tsup';

/**
 * Builds the service image's code: `dist/main.js` (the `serve | migrate | rewrap` binary) and
 * `dist/index.js` (the programmatic API). ESM only: the package is private and runs on Node 24.
 * Dependencies stay external and are installed next to it in the image.
 */
export default defineConfig({
  entry: { main: 'src/main.ts', index: 'src/index.ts' },
  format: ['esm'],
  dts: false,
  platform: 'node',
  target: 'node24',
  sourcemap: true,
  clean: true,
});
