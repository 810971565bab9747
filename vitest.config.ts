import { defineConfig } from 'vitest/config';

/**
 * One runner for the whole workspace. The harness globalSetup starts a loopback broker; tests ask it for real
 * servers with `useServices(...)`, each started once per run and stopped at the end.
 * Timeouts are generous: tests talk to real servers on a shared 2-core machine, and a first request may wait
 * for a server to start (Neo4j's JVM takes the longest).
 */
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '.tools/**'],
    globalSetup: ['test/harness/broker/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    teardownTimeout: 120_000,
    // Tests audit sites served on loopback: the fetcher may reach 127.0.0.1 in tests (never in production).
    env: { APEXSEO_FETCH_PRIVATE_HOSTS: '127.0.0.1:*' },
  },
});
