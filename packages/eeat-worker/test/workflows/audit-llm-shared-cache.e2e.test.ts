import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServices } from '../../../../test/harness/index.js';
import { startAudit } from '../../src/routing/start-audit.js';
import { LlmAnswerStore } from '../../src/storage/clickhouse/llm-answer-store.js';
import { startWorkerProcess, type WorkerProcess } from '../local-stack/worker-process.js';
import { carefulAnswerForGuide } from '../scoring/rubric-answers.js';
import { startLlmAuditStack, type LlmAuditStack } from '../support/llm-audit-stack.js';
import { openStores, storesEnv, uniqueSuffix, type TestStores } from '../support/stores.js';

/**
 * The LLM answer cache is shared and durable: a re-audit of an unchanged site costs its tenant nothing, even when
 * the worker that rated it first is gone and another worker process, started afresh, does the re-audit. The
 * provider is the local stand-in, which counts every call per key.
 */
describe('the shared LLM answer cache', () => {
  let stores: TestStores;
  let stack: LlmAuditStack;
  let other: WorkerProcess | undefined;
  let connection: Connection;
  let client: Client;
  let dir: string;
  const suffix = uniqueSuffix();
  const limits = { pages: 6, depth: 2, concurrencyPerHost: 3 };

  beforeAll(async () => {
    stores = await openStores();
    stack = await startLlmAuditStack(stores, { database: 'eeat_llm_cache' });
    const { temporal } = await useServices('temporal');
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection, namespace: temporal.namespace });
    dir = await mkdtemp(join(tmpdir(), 'eeat-llm-cache-'));
  }, 600_000);
  afterAll(async () => {
    await other?.stop();
    await connection?.close();
    await stack?.stop();
    await stores?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function llmAudit(tenantId: string) {
    return startAudit(client, {
      tenantId,
      plan: 'mrr',
      siteUrl: `${stack.site.origin}/`,
      limits,
      scoring: 'llm',
      provider: 'openai',
      allowHosts: [stack.site.allowHost],
    });
  }

  it('should make zero provider calls when another worker process, started after the first audit, re-audits the unchanged site', async () => {
    const tenantId = `cache-${suffix}`;
    const apiKey = `sk-cache-${randomUUID()}`;
    await stack.putKey(tenantId, apiKey);

    const first = await (await llmAudit(tenantId)).handle.result();
    const paid = stack.llm.calls(apiKey);
    expect(first.counts.audited).toBeGreaterThan(0);
    expect(paid).toBe(first.counts.audited);

    // The in-test workers (and their process-local state) are gone; a separate worker process takes over.
    await stack.workers.stop();
    const { temporal } = await useServices('temporal');
    other = await startWorkerProcess('eeat-priority', {
      APEXSEO_TEMPORAL_ADDRESS: temporal.address,
      APEXSEO_TEMPORAL_NAMESPACE: temporal.namespace,
      ...storesEnv(stores),
      APEXSEO_KEY_SERVICE_URL: stack.keys.url,
      APEXSEO_KEY_SERVICE_TOKEN_FILE: await stack.keys.writeTokenFile(dir),
      APEXSEO_OPENAI_BASE_URL: stack.llm.url,
    });

    const started = await llmAudit(tenantId);
    const second = await started.handle.result();
    expect(second.counts).toEqual(first.counts);
    expect(stack.llm.calls(apiKey)).toBe(paid);
    const rated = (await stores.results.auditPages(tenantId, started.auditId)).filter(
      (p) => p.outcome === 'audited',
    );
    expect(rated).toHaveLength(second.counts.audited);
    for (const page of rated) expect(page.rating?.scorer).toBe('llm');

    // Another tenant auditing the same site pays for its own answers: the cache is scoped per tenant.
    const otherTenant = `cache-other-${suffix}`;
    const otherKey = `sk-cache-other-${randomUUID()}`;
    await stack.putKey(otherTenant, otherKey);
    const third = await (await llmAudit(otherTenant)).handle.result();
    expect(stack.llm.calls(otherKey)).toBe(third.counts.audited);
  }, 600_000);

  it('should not reuse an answer past its expiry, and drop wholly expired months', async () => {
    const tenantId = `expiry-${suffix}`;
    const key = 'ab'.repeat(32);
    const value = { answer: carefulAnswerForGuide(), model: 'gpt-4o-mini', truncated: false };
    const fresh = new LlmAnswerStore(stores.clickhouse, stores.database, 30);
    await fresh.set(tenantId, key, value);
    expect((await fresh.get(tenantId, key))?.model).toBe('gpt-4o-mini');
    expect(await fresh.get(`${tenantId}-other`, key)).toBeNull();

    // Written 70 days ago: past a 30-day expiry, in a month that ended before the cutoff.
    const old = 'cd'.repeat(32);
    await stores.clickhouse.insert({
      table: `${stores.database}.llm_answers`,
      values: [
        {
          tenant_id: tenantId,
          cache_key: old,
          model: 'gpt-4o-mini',
          truncated: 0,
          answer_json: JSON.stringify(carefulAnswerForGuide()),
          created_at: Math.floor(Date.now() / 1000) - 70 * 86_400,
        },
      ],
      format: 'JSONEachRow',
    });
    expect(await fresh.get(tenantId, old)).toBeNull();
    expect(
      await new LlmAnswerStore(stores.clickhouse, stores.database, 100).get(tenantId, old),
    ).not.toBeNull();
    const dropped = await fresh.dropExpiredMonths();
    expect(dropped.length).toBeGreaterThan(0);
    expect(await new LlmAnswerStore(stores.clickhouse, stores.database, 100).get(tenantId, old)).toBeNull();
    expect((await fresh.get(tenantId, key))?.model).toBe('gpt-4o-mini');
  }, 120_000);
});
