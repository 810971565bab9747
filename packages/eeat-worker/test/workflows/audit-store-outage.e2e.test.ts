import { setTimeout as sleep } from 'node:timers/promises';
import type { ClickHouseClient } from '@clickhouse/client';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAudit } from '../../src/routing/start-audit.js';
import { startSampleSite, type SampleSite } from '../local-stack/sample-site-server.js';
import { createClickHouseClient } from '../../src/storage/clickhouse/clickhouse-connection.js';
import { startCuttableRelay, type CuttableRelay } from '../support/cuttable-relay.js';
import { startAuditWorkers, type RunningWorkers } from '../support/audit-workers.js';
import { openStores, uniqueSuffix, unskippedOutcomes, type TestStores } from '../support/stores.js';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

/** The failure message of the first activity of `type` that failed past its retries, if any yet. */
function failedActivity(history: History, type: string): string | undefined {
  const scheduled = new Map<string, string>();
  for (const event of history.events ?? []) {
    const s = event.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(String(event.eventId), s.activityType?.name ?? '');
    const f = event.activityTaskFailedEventAttributes;
    if (f && scheduled.get(String(f.scheduledEventId)) === type) return f.failure?.message ?? '';
  }
  return undefined;
}

function scheduledActivity(history: History, type: string): boolean {
  return (history.events ?? []).some(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === type,
  );
}

async function untilHistory<T>(
  handle: WorkflowHandle,
  what: string,
  probe: (history: History) => T | undefined,
): Promise<T> {
  for (let i = 0; i < 240; i++) {
    const found = probe(await handle.fetchHistory());
    if (found !== undefined) return found;
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * A result-store outage outlasting the collection step's attempts: the worker reaches ClickHouse through a relay
 * that is cut while the page is being collected (the slow sample site holds the page back) and restored only after
 * `collectPageRange` has failed past its retries. The page must be collected and rated once ClickHouse is reachable
 * again, not recorded as a failed page.
 */
describe('auditSite collection across a ClickHouse outage', () => {
  let stores: TestStores;
  let relay: CuttableRelay;
  let workerClickHouse: ClickHouseClient | undefined;
  let site: SampleSite;
  let workers: RunningWorkers;
  const suffix = uniqueSuffix();

  beforeAll(async () => {
    stores = await openStores();
    const clickhouse = new URL(stores.clickhouseSettings.url);
    relay = await startCuttableRelay({ host: clickhouse.hostname, port: Number(clickhouse.port) });
    workerClickHouse = createClickHouseClient({ ...stores.clickhouseSettings, url: relay.url });
    site = await startSampleSite({ pageDelayMs: 2_000 });
    workers = await startAuditWorkers({ ...stores, clickhouse: workerClickHouse }, ['eeat-priority']);
  }, 600_000);
  afterAll(async () => {
    await workers?.stop();
    await site?.close();
    await workerClickHouse?.close();
    await relay?.close();
    await stores?.close();
  });

  it('should audit a page whose collection ran out of attempts while ClickHouse was unreachable, once it is back', async () => {
    const tenantId = `store-outage-${suffix}`;
    const started = await startAudit(workers.client, {
      tenantId,
      plan: 'mrr',
      siteUrl: `${site.origin}/`,
      limits: { pages: 1, depth: 0, concurrencyPerHost: 1 },
      scoring: 'heuristic',
      allowHosts: [site.allowHost],
    });

    await untilHistory(started.handle, 'the collection step', (h) =>
      scheduledActivity(h, 'collectPageRange') ? true : undefined,
    );
    await relay.cut();
    const failure = await untilHistory(started.handle, 'collectPageRange to fail past its retries', (h) =>
      failedActivity(h, 'collectPageRange'),
    );
    expect(failure).toMatch(/^result store: /);

    await relay.restore();
    const result = await started.handle.result();
    expect(await unskippedOutcomes(stores, tenantId, started.auditId)).toEqual(['audited']);
    expect(result.counts).toMatchObject({ audited: 1, failed: 0 });
  }, 300_000);
});
