import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { bundleWorkflows } from '@apexseo/worker-sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { workflowsModulePath } from '../../src/worker/eeat-worker.js';

/**
 * Audits still running when a new worker version rolls out are replayed by the new workflow code, which must make
 * the same decisions their histories recorded. The fixtures (histories/*.json) were recorded on real servers by the
 * workflow code released with the LLM step's outage handling (patch `rate-page-waits-out-platform-failures`):
 * - a collection step that failed past its retries on an unreachable ClickHouse, so the page was recorded as
 *   `error: internal` (the current code waits such an outage out, but not in a history without its patch marker);
 * - an LLM rating step that waited out a key-service outage on a durable timer, behind the older marker.
 */
const HISTORIES = [
  'collect-store-outage-before-page-steps-patch',
  'llm-key-outage-with-rating-patch',
] as const;

describe('auditSite replays histories recorded by the previous workflow code', () => {
  let code: string;

  beforeAll(async () => {
    ({ code } = await bundleWorkflows({ workflowsPath: workflowsModulePath() }));
  }, 300_000);

  for (const name of HISTORIES) {
    it(`should replay "${name}" without a nondeterminism error`, async () => {
      // The fixtures are the client's History messages as JSON (protobufjs form: enum names, 64-bit integers as
      // strings, bytes as base64), read back into the same message type.
      const history = temporal.api.history.v1.History.fromObject(
        JSON.parse(
          await readFile(fileURLToPath(new URL(`./histories/${name}.json`, import.meta.url)), 'utf8'),
        ) as Record<string, unknown>,
      );
      expect(history.events.length).toBeGreaterThan(10);
      await Worker.runReplayHistory({ workflowBundle: { code } }, history);
    }, 120_000);
  }
});
