import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../../../test/harness/index.js';
import {
  startKeyService,
  type KeyServiceReplica,
  type RunningKeyService,
} from '../../../../test/harness/key-service.js';
import { startLlmStandIn, type LlmStandIn } from '../../../../test/stand-ins/llm-provider.js';
import { startAudit } from '../../src/routing/start-audit.js';
import { startSampleSite, type SampleSite } from '../../src/sample-site-server.js';
import { freePort } from '../local-stack/worker-process.js';
import { carefulAnswerForGuide } from '../scoring/rubric-answers.js';
import { startAuditWorkers, type RunningWorkers } from '../support/audit-workers.js';
import { openStores, uniqueSuffix, type TestStores } from '../support/stores.js';

/**
 * A platform outage outlasting the LLM step's attempts: the worker's key service is down until the rating step
 * has spent every attempt (`ratePageLlm` failed in the history), then comes back on the same address. The page
 * must be rated once the key service is back, not recorded as a failed page.
 */
describe('auditSite LLM rating across a key-service outage', () => {
  let stores: TestStores;
  let keys: RunningKeyService;
  let workerKeys: KeyServiceReplica | undefined;
  let llm: LlmStandIn;
  let site: SampleSite;
  let workers: RunningWorkers;
  let dir: string;
  let workerKeyPort: number;
  const suffix = uniqueSuffix();
  const apiKey = `sk-eeat-${randomUUID()}`;

  beforeAll(async () => {
    stores = await openStores();
    keys = await startKeyService({ postgres: await createDatabase('eeat_llm_outage') });
    llm = await startLlmStandIn();
    llm.setDefault('*', { kind: 'ok', json: carefulAnswerForGuide() });
    site = await startSampleSite();
    dir = await mkdtemp(join(tmpdir(), 'eeat-llm-outage-'));
    const tokenFile = await keys.writeTokenFile(dir);
    // The workers' key service: a fixed address where nothing listens until the test starts a replica there.
    workerKeyPort = await freePort();
    workers = await startAuditWorkers(stores, ['eeat-priority'], {
      keyService: { url: `http://127.0.0.1:${workerKeyPort}`, tokenFile },
      llm: { openaiBaseUrl: llm.url, anthropicBaseUrl: llm.url },
    });
  }, 600_000);
  afterAll(async () => {
    await workers?.stop();
    await workerKeys?.stop();
    await site?.close();
    await llm?.close();
    await keys?.stop();
    await stores?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('should rate a page whose LLM step ran out of attempts while the key service was down, once it is back', async () => {
    const tenantId = `outage-${suffix}`;
    const put = await fetch(`${keys.url}/v1/tenants/${tenantId}/keys/openai`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${keys.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey }),
    });
    expect(put.status).toBe(200);
    const started = await startAudit(workers.client, {
      tenantId,
      plan: 'mrr',
      siteUrl: `${site.origin}/`,
      limits: { pages: 1, depth: 0, concurrencyPerHost: 1 },
      scoring: 'llm',
      provider: 'openai',
      allowHosts: [site.allowHost],
    });

    // Wait until the rating step has failed past its retry policy (attempts 5 + 10 + 20 s apart).
    let failure: string | undefined;
    for (let i = 0; i < 240 && failure === undefined; i++) {
      const history = await started.handle.fetchHistory();
      failure =
        history.events?.find((e) => e.activityTaskFailedEventAttributes)?.activityTaskFailedEventAttributes
          ?.failure?.message ?? undefined;
      if (failure === undefined) await sleep(1_000);
    }
    expect(failure).toMatch(/Key service .* unreachable/);
    expect(llm.calls(apiKey)).toBe(0);

    workerKeys = await keys.startReplica({
      KEY_SERVICE_PORT: String(workerKeyPort),
      KEY_SERVICE_METRICS_PORT: String(await freePort()),
    });
    const result = await started.handle.result();
    const outcomes = (await stores.results.auditPages(tenantId, started.auditId))
      .filter((p) => p.outcome !== 'skipped')
      .map((p) => `${p.outcome}${p.outcomeDetail ? `: ${p.outcomeDetail}` : ''}`);
    expect(outcomes).toEqual(['audited']);
    expect(result.counts).toMatchObject({ audited: 1, failed: 0 });
    expect(llm.calls(apiKey)).toBe(1);
  }, 420_000);
});
