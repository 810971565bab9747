/**
 * The project's main job on a laptop: starts the local stack (Temporal dev server, PostgreSQL, ClickHouse,
 * Neo4j, the key service, one priority and one standard worker process), serves the bundled sample site, runs
 * an audit for one MRR and one lifetime-deal tenant, and prints both reports. No network and no LLM key needed:
 * the heuristic layer rates the pages. With `llm`, the same run rates pages through a real provider with a key
 * read from a hidden prompt or stdin (stored in the key service, never in argv, env or files).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { createDatabaseOn, startPlatformServices } from '../../../../test/harness/index.js';
import { startKeyService } from '../../../../test/harness/key-service.js';
import { KeyServiceAdmin } from '../../src/cli/key-service-admin.js';
import { renderProgress } from '../../src/cli/progress-bar.js';
import { renderReport } from '../../src/cli/report-table.js';
import { readSecret } from '../../src/cli/secret-input.js';
import { AuditStarter } from '../../src/routing/start-admission.js';
import type { StartedAudit } from '../../src/routing/start-audit.js';
import { startSampleSite } from './sample-site-server.js';
import { openStoreClients } from '../../src/worker/store-clients.js';
import { progressQuery } from '../../src/workflows/audit-queries.js';
import type { AuditSiteResult } from '../../src/workflows/audit-workflow-types.js';
import { PRIVATE_HOSTS_ENV } from '../../src/fetch/private-host-allowance.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';
import type { LlmProvider } from '@apexseo/worker-sdk';

export interface LocalDemoOptions {
  /** Rate with a real LLM provider; the key is read from a prompt or stdin. */
  readonly llm?: {
    readonly provider: LlmProvider;
    readonly model?: string;
    readonly baseUrl?: string;
  };
  /** Pages per audit. @default 30 */
  readonly pages?: number;
  readonly log?: (line: string) => void;
}

export interface LocalDemoResult {
  readonly audits: Array<{
    tenantId: string;
    plan: 'mrr' | 'ltd';
    taskQueue: string;
    result: AuditSiteResult;
    report: string;
  }>;
  readonly elapsedMs: number;
}

const TENANTS = [
  { tenantId: 'northwind-mrr', plan: 'mrr' as const },
  { tenantId: 'northwind-ltd', plan: 'ltd' as const },
];

export async function runLocalDemo(options: LocalDemoOptions = {}): Promise<LocalDemoResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = Date.now();
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async (): Promise<void> => {
    for (const fn of cleanups.reverse())
      await fn().catch((e: unknown) => log(`cleanup: ${(e as Error).message}`));
  };
  try {
    // A key typed for the LLM run is read before anything starts, so the prompt is not buried in logs.
    const apiKey = options.llm
      ? await readSecret(`${options.llm.provider} API key (input hidden; or pipe it on stdin): `)
      : null;

    log('[demo] starting PostgreSQL, Temporal, ClickHouse and Neo4j ...');
    const platform = await startPlatformServices();
    cleanups.push(() => platform.stop());
    const { postgres, temporal, clickhouse, neo4j } = platform;
    for (const description of platform.descriptions) log(`[demo]   ${description}`);

    const keys = await startKeyService({
      postgres: await createDatabaseOn(postgres.settings, 'apexseo_keys'),
    });
    cleanups.push(() => keys.stop());
    log(`[demo]   key service on ${keys.url}`);

    const stores = openStoreClients({
      clickhouse: { ...clickhouse.settings, database: 'apexseo' },
      neo4j: neo4j.settings,
    });
    cleanups.push(() => stores.close());
    const migrated = await stores.migrate();
    log(
      `[demo] migrated ClickHouse ${migrated.clickhouse.serverVersion} (${[...migrated.clickhouse.applied, ...migrated.clickhouse.alreadyApplied].length} migrations; waiting for a newer server: ${migrated.clickhouse.waitingForServer.join(', ') || 'none'}) and Neo4j (${migrated.neo4j.constraints.length} constraints)`,
    );

    const site = await startSampleSite();
    cleanups.push(() => site.close());
    log(`[demo] sample site on ${site.origin}`);

    const dir = await mkdtemp(join(tmpdir(), 'apexseo-demo-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const tokenFile = await keys.writeTokenFile(dir);
    if (apiKey && options.llm) {
      const adminTokenFile = join(dir, 'admin-token');
      await writeFile(adminTokenFile, keys.adminToken, { mode: 0o600 });
      const admin = await KeyServiceAdmin.open({ baseUrl: keys.url, adminTokenFile });
      for (const t of TENANTS) {
        const stored = await admin.putKey(t.tenantId, options.llm.provider, apiKey);
        log(
          `[demo] stored ${stored.provider} key v${stored.keyVersion} for ${t.tenantId} (fingerprint ${stored.fingerprint})`,
        );
      }
    }

    const workerEnv: Record<string, string> = {
      APEXSEO_TEMPORAL_ADDRESS: temporal.settings.address,
      APEXSEO_TEMPORAL_NAMESPACE: temporal.settings.namespace,
      APEXSEO_CLICKHOUSE_URL: clickhouse.settings.url,
      APEXSEO_CLICKHOUSE_USER: clickhouse.settings.username,
      APEXSEO_CLICKHOUSE_PASSWORD: clickhouse.settings.password,
      APEXSEO_CLICKHOUSE_DATABASE: 'apexseo',
      APEXSEO_NEO4J_URL: neo4j.settings.boltUrl,
      APEXSEO_NEO4J_USER: neo4j.settings.username,
      APEXSEO_NEO4J_PASSWORD: neo4j.settings.password,
      APEXSEO_KEY_SERVICE_URL: keys.url,
      APEXSEO_KEY_SERVICE_TOKEN_FILE: tokenFile,
      APEXSEO_SCORING: options.llm ? 'llm' : 'heuristic',
      ...(options.llm?.model ? { APEXSEO_LLM_MODEL: options.llm.model } : {}),
      ...(options.llm?.baseUrl
        ? {
            [options.llm.provider === 'openai' ? 'APEXSEO_OPENAI_BASE_URL' : 'APEXSEO_ANTHROPIC_BASE_URL']:
              options.llm.baseUrl,
          }
        : {}),
    };
    log('[demo] starting the eeat-priority and eeat-standard worker processes ...');
    const workers: WorkerProcess[] = await Promise.all(
      ['eeat-priority', 'eeat-standard'].map((q) => startWorkerProcess(q, workerEnv)),
    );
    for (const w of workers) cleanups.push(() => w.stop());

    const connection = await Connection.connect({ address: temporal.settings.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: temporal.settings.namespace });

    // The demo audits the sample site on loopback: this process starts its audits with the private-host allowance
    // its workers also run with (worker-process.ts); production has neither.
    process.env[PRIVATE_HOSTS_ENV] = '127.0.0.1:*';
    // Audits start the way the app backend starts them: lifetime-deal starts through admission.
    const starter = new AuditStarter(client, { startsPerSecond: 4, maxWaiting: 1_000 });
    const runs: Array<{ tenantId: string; plan: 'mrr' | 'ltd'; audit: StartedAudit }> = [];
    for (const t of TENANTS) {
      const audit = await starter.start({
        ...t,
        siteUrl: `${site.origin}/`,
        limits: { pages: options.pages ?? 30, depth: 3, concurrencyPerHost: 4 },
        scoring: options.llm ? 'llm' : 'heuristic',
        ...(options.llm ? { provider: options.llm.provider } : {}),
        allowHosts: [site.allowHost],
      });
      log(`[demo] started audit ${audit.auditId} for ${t.tenantId} (${t.plan}) on ${audit.taskQueue}`);
      runs.push({ ...t, audit });
    }

    const results = await Promise.all(runs.map((r) => follow(r.tenantId, r.audit, log)));
    const audits: LocalDemoResult['audits'] = [];
    for (const [i, r] of runs.entries()) {
      const summary = await stores.results.siteAudit(r.tenantId, r.audit.auditId);
      const pages = await stores.results.auditPages(r.tenantId, r.audit.auditId);
      const report = summary ? renderReport(summary, pages) : '(no report stored)';
      audits.push({
        tenantId: r.tenantId,
        plan: r.plan,
        taskQueue: r.audit.taskQueue,
        result: results[i] as AuditSiteResult,
        report,
      });
    }
    return { audits, elapsedMs: Date.now() - started };
  } finally {
    await cleanup();
  }
}

async function follow(
  tenantId: string,
  audit: StartedAudit,
  log: (line: string) => void,
): Promise<AuditSiteResult> {
  let done: AuditSiteResult | undefined;
  let failed: unknown;
  audit.handle.result().then(
    (r) => (done = r),
    (e: unknown) => (failed = e ?? new Error('audit failed')),
  );
  let last = '';
  while (!done && !failed) {
    try {
      const line = renderProgress(await audit.handle.query(progressQuery));
      if (line !== last) log(`[${tenantId}] ${line}`);
      last = line;
    } catch {
      // before the first workflow task, or between runs
    }
    await sleep(1_000);
  }
  if (failed) throw failed instanceof Error ? failed : new Error('audit failed');
  return done as AuditSiteResult;
}
