import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflows } from '@apexseo/worker-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runToExit, useServices, type ExitedProcess } from '../../../../test/harness/index.js';
import { startPageAudit } from '../../src/routing/start-audit.js';
import { startSampleSite, type SampleSite } from '../local-stack/sample-site-server.js';
import { startWorkerProcess, type WorkerProcess } from '../local-stack/worker-process.js';
import { openStores, storesEnv, uniqueSuffix, type TestStores } from '../support/stores.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

function runMain(env: Record<string, string>): Promise<ExitedProcess> {
  return runToExit(
    spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/** The worker binary as a pod runs it: production mode, prebuilt workflow bundle, pool from the environment. */
describe('worker binary', () => {
  let stores: TestStores;
  let site: SampleSite;
  let dir: string;
  let worker: WorkerProcess | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    stores = await openStores();
    site = await startSampleSite();
    const { temporal } = await useServices('temporal');
    dir = await mkdtemp(join(tmpdir(), 'eeat-bundle-'));
    const bundle = join(dir, 'workflow-bundle.js');
    await bundleWorkflows({
      workflowsPath: fileURLToPath(new URL('../../src/workflows/index.ts', import.meta.url)),
      outFile: bundle,
    });
    // Production mode requires the pod's projected token file; heuristic audits never call the key service.
    const tokenFile = join(dir, 'key-service-token');
    await writeFile(tokenFile, 'worker-binary-test-token');
    env = {
      NODE_ENV: 'production',
      APEXSEO_KEY_SERVICE_TOKEN_FILE: tokenFile,
      APEXSEO_WORKFLOW_BUNDLE: bundle,
      APEXSEO_TEMPORAL_ADDRESS: temporal.address,
      ...storesEnv(stores),
    };
  }, 300_000);
  afterAll(async () => {
    await worker?.stop();
    await site?.close();
    await stores?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('should refuse to start on an unknown pool, naming the variable', async () => {
    const run = await runMain({ ...env, APEXSEO_TASK_QUEUE: 'eeat-gold' });
    expect(run.code).toBe(1);
    expect(run.output).toContain('APEXSEO_TASK_QUEUE: must be one of eeat-priority, eeat-standard');
  });

  it('should run audits from the prebuilt bundle in production mode and stop on SIGTERM', async () => {
    worker = await startWorkerProcess('eeat-standard', env);
    const { temporal } = await useServices('temporal');
    const connection = await Connection.connect({ address: temporal.address });
    try {
      const client = new Client({ connection });
      const tenantId = `binary-${uniqueSuffix()}`;
      const started = await startPageAudit(client, {
        tenantId,
        plan: 'ltd',
        url: `${site.origin}/articles/home-office-setup.html`,
        allowHosts: [site.allowHost],
      });
      expect((await started.handle.result()).counts).toMatchObject({ total: 1, audited: 1 });
      expect(worker.output()).not.toMatch(/webpack|Workflow bundle created/);
    } finally {
      await connection.close();
    }
    await worker.stop();
    expect(worker.output()).toContain('worker stopped');
    worker = undefined;
  }, 300_000);
});
