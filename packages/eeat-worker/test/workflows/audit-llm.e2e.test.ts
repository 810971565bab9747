import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServices } from '../../../../test/harness/index.js';
import { progressQuery } from '../../src/workflows/audit-queries.js';
import { runCli } from '../cli/run-cli.js';
import { startLlmAuditStack, type LlmAuditStack } from '../support/llm-audit-stack.js';
import { openStores, uniqueSuffix, type TestStores } from '../support/stores.js';

/**
 * LLM scoring on real servers: the tenant's key lives only in the real key service, the worker acquires it
 * through the SDK at call time, and the provider is the local stand-in speaking OpenAI's wire format.
 */
describe('auditSite with LLM scoring through the tenant key', () => {
  let stores: TestStores;
  let stack: LlmAuditStack;
  const suffix = uniqueSuffix();
  const apiKey = `sk-eeat-${randomUUID()}`;

  beforeAll(async () => {
    stores = await openStores();
    stack = await startLlmAuditStack(stores, { database: 'eeat_llm_audit' });
  }, 600_000);
  afterAll(async () => {
    await stack?.stop();
    await stores?.close();
  });

  it('should rate every audited page with the LLM rubric and keep the key out of workflow history', async () => {
    const tenantId = `llm-${suffix}`;
    await stack.putKey(tenantId, apiKey);
    const started = await stack.startLlmAudit(tenantId, { pages: 6, depth: 2, concurrencyPerHost: 3 });
    const result = await started.handle.result();
    const pages = (await stores.results.auditPages(tenantId, started.auditId)).filter(
      (p) => p.outcome === 'audited',
    );
    expect(pages.length).toBe(result.counts.audited);
    expect(pages.length).toBeGreaterThan(0);
    for (const page of pages)
      expect([page.rating?.scorer, page.rating?.model]).toEqual(['llm', 'openai/gpt-4o-mini']);
    expect(stack.llm.calls(apiKey)).toBe(pages.length);
    const history = JSON.stringify(await started.handle.fetchHistory());
    expect(history).not.toContain(apiKey);
  }, 300_000);

  it('should record a page as failed without waiting when the provider refuses the request (the page’s failure, not an outage)', async () => {
    const tenantId = `refused-${suffix}`;
    const refusedKey = `${apiKey}-refused`;
    await stack.putKey(tenantId, refusedKey);
    stack.llm.setDefault(refusedKey, { kind: 'bad_request' });
    const started = await stack.startLlmAudit(tenantId, { pages: 1, depth: 0, concurrencyPerHost: 1 });
    const result = await started.handle.result();
    const outcomes = (await stores.results.auditPages(tenantId, started.auditId))
      .filter((p) => p.outcome !== 'skipped')
      .map((p) => `${p.outcome}: ${p.outcomeReason}`);
    expect(outcomes).toEqual(['error: internal']);
    expect(result.counts).toMatchObject({ audited: 0, failed: 1 });
    expect(stack.llm.calls(refusedKey)).toBe(1);
    const timers = ((await started.handle.fetchHistory()).events ?? []).filter(
      (e) => e.timerStartedEventAttributes,
    );
    expect(timers).toEqual([]);
  }, 300_000);

  it('should park a paused tenant’s audit and finish it after `apexseo tenant resume`', async () => {
    const tenantId = `paused-${suffix}`;
    const keyVersion = await stack.putKey(tenantId, `${apiKey}-paused`);
    // Open the tenant's breaker the way failing workers do: six consecutive auth failures reported.
    const token = await stack.keys.mintWorkerToken();
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${stack.keys.url}/v1/keys/report`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ tenantId, provider: 'openai', keyVersion, outcome: 'auth_failure' }),
      });
      expect(res.status).toBe(200);
    }
    const started = await stack.startLlmAudit(
      tenantId,
      { pages: 3, depth: 1, concurrencyPerHost: 3 },
      `audit-${randomUUID()}`,
    );
    let parked = false;
    for (let i = 0; i < 360 && !parked; i++) {
      parked = (await started.handle.query(progressQuery)).parked;
      if (!parked) await sleep(500);
    }
    const outcomes = parked
      ? []
      : (await stores.results.auditPages(tenantId, started.auditId)).map(
          (p) => `${p.outcome}:${p.outcomeDetail}`,
        );
    expect(parked, `not parked; recorded outcomes: ${outcomes.join(' | ')}`).toBe(true);
    expect((await started.handle.describe()).searchAttributes).toMatchObject({ TenantParked: [true] });
    expect(stack.llm.calls(`${apiKey}-paused`)).toBe(0);

    const { temporal } = await useServices('temporal');
    const resumed = await runCli(
      ['tenant', 'resume', '--tenant', tenantId, '--provider', 'openai', '--json'],
      {
        env: {
          APEXSEO_KEY_SERVICE_URL: stack.keys.url,
          APEXSEO_ADMIN_TOKEN_FILE: stack.adminTokenFile,
          APEXSEO_TEMPORAL_ADDRESS: temporal.address,
        },
      },
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    const result = await started.handle.result();
    expect(result.counts.audited).toBeGreaterThan(0);
    expect(result.counts.failed).toBe(0);
    expect(stack.llm.calls(`${apiKey}-paused`)).toBe(result.counts.audited);
    expect((await started.handle.query(progressQuery)).parked).toBe(false);
  }, 300_000);
});
