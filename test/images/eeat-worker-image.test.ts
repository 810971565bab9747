import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAudit } from '../../packages/eeat-worker/src/routing/start-audit.js';
import { PageResultsStore } from '../../packages/eeat-worker/src/storage/clickhouse/page-results-store.js';
import {
  startSampleSite,
  type SampleSite,
} from '../../packages/eeat-worker/test/local-stack/sample-site-server.js';
import {
  startWorkerProcess,
  type WorkerProcess,
} from '../../packages/eeat-worker/test/local-stack/worker-process.js';
import { openClickHouse } from '../../packages/eeat-worker/test/support/stores.js';
import { createDatabase, useServices } from '../harness/index.js';
import { startKeyService, type RunningKeyService } from '../harness/key-service.js';
import {
  buildImages,
  keyServiceFromImage,
  removeOrphanContainers,
  runContainer,
  workerFromImage,
  type BuiltImages,
} from './support/containers.js';

/**
 * The eeat-worker image as the chart runs it (uid 1000, read-only root filesystem, host network here): the store
 * migration Job's `node dist/cli.js migrate`, then a priority-pool worker that audits the bundled sample site
 * against the harness's real Temporal, ClickHouse and Neo4j and a key service run from its own image.
 */
let images: BuiltImages;
let keys: RunningKeyService;
let clickhouse: { client: ClickHouseClient; database: string };
let storeEnv: Record<string, string>;
let tokenDir: string;
let site: SampleSite;
let worker: WorkerProcess | undefined;
let connection: Connection | undefined;
let namespace: string;

beforeAll(async () => {
  await removeOrphanContainers();
  images = await buildImages();
  const { temporal, neo4j } = await useServices('temporal', 'clickhouse', 'neo4j');
  namespace = temporal.namespace;
  const opened = await openClickHouse();
  clickhouse = opened;
  storeEnv = {
    APEXSEO_TEMPORAL_ADDRESS: temporal.address,
    APEXSEO_TEMPORAL_NAMESPACE: temporal.namespace,
    APEXSEO_CLICKHOUSE_URL: opened.settings.url,
    APEXSEO_CLICKHOUSE_USER: opened.settings.username,
    APEXSEO_CLICKHOUSE_PASSWORD: opened.settings.password,
    APEXSEO_CLICKHOUSE_DATABASE: opened.database,
    APEXSEO_NEO4J_URL: neo4j.boltUrl,
    APEXSEO_NEO4J_USER: neo4j.username,
    APEXSEO_NEO4J_PASSWORD: neo4j.password,
  };
  keys = await startKeyService({
    postgres: await createDatabase('worker_image_keys'),
    launch: keyServiceFromImage(images['key-service'].id),
  });
  tokenDir = await mkdtemp(join(tmpdir(), 'apexseo-worker-image-'));
  site = await startSampleSite();
  connection = await Connection.connect({ address: temporal.address });
}, 600_000);

afterAll(async () => {
  await worker?.stop();
  await connection?.close();
  await site?.close();
  await keys?.stop();
  if (clickhouse) {
    await clickhouse.client.command({ query: `DROP DATABASE IF EXISTS ${clickhouse.database}` });
    await clickhouse.client.close();
  }
  if (tokenDir) await rm(tokenDir, { recursive: true, force: true });
});

describe('eeat-worker image', () => {
  it("should migrate both stores with the package's CLI, as the chart's migration Jobs run it", async () => {
    const migrate = await runContainer(
      images['eeat-worker'].id,
      ['dist/cli.js', 'migrate', '--store', 'all'],
      {
        entrypoint: 'node',
        workdir: '/app/packages/eeat-worker',
        env: storeEnv,
      },
    );
    expect(migrate.code, migrate.output).toBe(0);
    const tables = await clickhouse.client.query({
      query: `SELECT name FROM system.tables WHERE database = '${clickhouse.database}'`,
      format: 'JSONEachRow',
    });
    expect((await tables.json<{ name: string }>()).length).toBeGreaterThan(0);
  });

  it('should complete an audit of the sample site from the prebuilt workflow bundle', async () => {
    const env = {
      ...storeEnv,
      APEXSEO_KEY_SERVICE_URL: keys.url,
      APEXSEO_KEY_SERVICE_TOKEN_FILE: await keys.writeTokenFile(tokenDir),
      APEXSEO_SCORING: 'heuristic',
    };
    worker = await startWorkerProcess('eeat-priority', env, {
      name: 'eeat-worker image',
      launch: workerFromImage(images['eeat-worker'].id, [tokenDir]),
    });
    const client = new Client({ connection: connection!, namespace });
    const tenantId = 'image-smoke';
    const audit = await startAudit(client, {
      tenantId,
      plan: 'mrr',
      siteUrl: `${site.origin}/`,
      limits: { pages: 8, depth: 2, concurrencyPerHost: 4 },
      allowHosts: [site.allowHost],
    });
    expect(audit.taskQueue).toBe('eeat-priority');
    const result = await audit.handle.result();
    expect(result.counts.audited).toBeGreaterThan(0);
    expect(result.counts.failed).toBe(0);

    const results = new PageResultsStore(clickhouse.client, clickhouse.database);
    const stored = await results.siteAudit(tenantId, audit.auditId);
    expect(stored?.counts).toEqual(result.counts);
    expect((await results.auditPages(tenantId, audit.auditId)).length).toBe(result.counts.total);
    expect(worker.output()).not.toMatch(/webpack|Workflow bundle created/);

    await worker.stop();
    expect(worker.output()).toContain('worker stopped');
    worker = undefined;
  }, 300_000);

  it('should exit non-zero on bad configuration, naming the field', async () => {
    const result = await runContainer(images['eeat-worker'].id, [], { env: storeEnv });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('APEXSEO_TASK_QUEUE');
  });

  it('should run as uid 1000 and be unable to write its own filesystem', async () => {
    const result = await runContainer(
      images['eeat-worker'].id,
      [
        '-e',
        "try { require('fs').writeFileSync('/app/probe', 'x') } catch (e) { console.log(e.code) } console.log(process.getuid())",
      ],
      { entrypoint: 'node' },
    );
    expect(result.code, result.output).toBe(0);
    expect(result.output.trim().split('\n')).toEqual(['EROFS', '1000']);
  });
});
