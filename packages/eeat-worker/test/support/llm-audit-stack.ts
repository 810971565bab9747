/**
 * What an LLM-scored audit needs next to the result stores: the real key service (its admin side stores tenant
 * keys), the LLM stand-in answering every call with a careful rubric answer, the bundled sample site, and audit
 * workers on eeat-priority. The workers reach the key service at `workerKeyServiceUrl` when given (e.g. an address
 * where nothing listens yet), else at the admin process.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase } from '../../../../test/harness/index.js';
import { startKeyService, type RunningKeyService } from '../../../../test/harness/key-service.js';
import { startLlmStandIn, type LlmStandIn } from '../../../../test/stand-ins/llm-provider.js';
import { startAudit, type StartedAudit } from '../../src/routing/start-audit.js';
import { startSampleSite, type SampleSite } from '../local-stack/sample-site-server.js';
import type { AuditLimits } from '../../src/workflows/audit-workflow-types.js';
import { carefulAnswerForGuide } from '../scoring/rubric-answers.js';
import { startAuditWorkers, type RunningWorkers } from './audit-workers.js';
import type { TestStores } from './stores.js';

export interface LlmAuditStack {
  readonly keys: RunningKeyService;
  readonly llm: LlmStandIn;
  readonly site: SampleSite;
  readonly workers: RunningWorkers;
  /** The admin bearer token in a 0600 file, for the CLI. */
  readonly adminTokenFile: string;
  /** Stores (or replaces) a tenant's OpenAI key through the admin API; resolves with the new key version. */
  putKey(tenantId: string, apiKey: string): Promise<number>;
  /** Starts an MRR audit of the sample site, rated by the LLM with the tenant's OpenAI key. */
  startLlmAudit(tenantId: string, limits: AuditLimits, auditId?: string): Promise<StartedAudit>;
  stop(): Promise<void>;
}

export async function startLlmAuditStack(
  stores: TestStores,
  options: { database: string; workerKeyServiceUrl?: string },
): Promise<LlmAuditStack> {
  const keys = await startKeyService({ postgres: await createDatabase(options.database) });
  const llm = await startLlmStandIn();
  llm.setDefault('*', { kind: 'ok', json: carefulAnswerForGuide() });
  const site = await startSampleSite();
  const dir = await mkdtemp(join(tmpdir(), `${options.database}-`));
  const adminTokenFile = join(dir, 'admin-token');
  await writeFile(adminTokenFile, keys.adminToken, { mode: 0o600 });
  const workers = await startAuditWorkers(stores, ['eeat-priority'], {
    keyService: { url: options.workerKeyServiceUrl ?? keys.url, tokenFile: await keys.writeTokenFile(dir) },
    llm: { openaiBaseUrl: llm.url, anthropicBaseUrl: llm.url },
  });
  return {
    keys,
    llm,
    site,
    workers,
    adminTokenFile,
    async putKey(tenantId, apiKey) {
      const res = await fetch(`${keys.url}/v1/tenants/${tenantId}/keys/openai`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${keys.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ apiKey }),
      });
      if (res.status !== 200) throw new Error(`storing the key of ${tenantId} answered ${res.status}`);
      return ((await res.json()) as { keyVersion: number }).keyVersion;
    },
    startLlmAudit(tenantId, limits, auditId) {
      return startAudit(workers.client, {
        tenantId,
        plan: 'mrr',
        siteUrl: `${site.origin}/`,
        ...(auditId ? { auditId } : {}),
        limits,
        scoring: 'llm',
        provider: 'openai',
        allowHosts: [site.allowHost],
      });
    },
    async stop() {
      await workers.stop();
      await site.close();
      await llm.close();
      await keys.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
