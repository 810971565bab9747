import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/harness/index.js';
import type { KeyServiceReplica } from '../../../../test/harness/key-service.js';
import { startLlmAuditStack, type LlmAuditStack } from '../support/llm-audit-stack.js';
import { openStores, uniqueSuffix, unskippedOutcomes, type TestStores } from '../support/stores.js';

/**
 * A platform outage outlasting the LLM step's attempts: the worker's key service is down until the rating step
 * has spent every attempt (`ratePageLlm` failed in the history), then comes back on the same address. The page
 * must be rated once the key service is back, not recorded as a failed page.
 */
describe('auditSite LLM rating across a key-service outage', () => {
  let stores: TestStores;
  let stack: LlmAuditStack;
  let workerKeys: KeyServiceReplica | undefined;
  let workerKeyPort: number;
  const suffix = uniqueSuffix();
  const apiKey = `sk-eeat-${randomUUID()}`;

  beforeAll(async () => {
    stores = await openStores();
    // The workers' key service: a fixed address where nothing listens until the test starts a replica there.
    workerKeyPort = await freePort();
    stack = await startLlmAuditStack(stores, {
      database: 'eeat_llm_outage',
      workerKeyServiceUrl: `http://127.0.0.1:${workerKeyPort}`,
    });
  }, 600_000);
  afterAll(async () => {
    await workerKeys?.stop();
    await stack?.stop();
    await stores?.close();
  });

  it('should rate a page whose LLM step ran out of attempts while the key service was down, once it is back', async () => {
    const tenantId = `outage-${suffix}`;
    await stack.putKey(tenantId, apiKey);
    const started = await stack.startLlmAudit(tenantId, { pages: 1, depth: 0, concurrencyPerHost: 1 });

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
    expect(stack.llm.calls(apiKey)).toBe(0);

    workerKeys = await stack.keys.startReplica({
      KEY_SERVICE_PORT: String(workerKeyPort),
      KEY_SERVICE_METRICS_PORT: String(await freePort()),
    });
    const result = await started.handle.result();
    expect(await unskippedOutcomes(stores, tenantId, started.auditId)).toEqual(['audited']);
    expect(result.counts).toMatchObject({ audited: 1, failed: 0 });
    expect(stack.llm.calls(apiKey)).toBe(1);
  }, 420_000);
});
