/**
 * The fleet breaker across four real eeat-worker processes: a tenant whose key the provider rejects (401), a
 * tenant that is rate-limited (429 with retry-after) and healthy tenants, all auditing at the same time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../harness/index.js';
import { resumeTenantWorkflows } from '../../packages/worker-sdk/src/index.js';
import {
  awaitAudits,
  incompleteOrDuplicated,
  ledgerOf,
  startAudits,
  type AuditRequest,
} from './support/audit-ledger.js';
import { breakerTimeline, describeTraffic, tripsOf, type ProviderCall } from './support/breaker-timeline.js';
import { startProofStack, type ProofStack } from './support/proof-stack.js';
import { plainRubricAnswer } from './support/rubric-answer.js';
import { plantCanary, scanStack } from './support/leak-audit.js';
import { randomTenantKey } from './support/test-keys.js';

const PAGES = 3;
const RETRY_AFTER_SECONDS = 6;
async function countWorkflows(stack: ProofStack, query: string): Promise<number> {
  return (await stack.client.workflow.count(query)).count;
}

/** Key-failure reports of a tenant in the key service's own commit order (its audit log), as outcomes. */
async function reportOutcomes(stack: ProofStack, tenantId: string): Promise<string[]> {
  const db = new pg.Client({ connectionString: stack.keysDatabase.url });
  await db.connect();
  try {
    const rows = await db.query<{ outcome: string }>(
      `SELECT outcome FROM audit_log WHERE tenant_id = $1 AND action = 'report' ORDER BY id`,
      [tenantId],
    );
    return rows.rows.map((r) => r.outcome);
  } finally {
    await db.end();
  }
}

function recordingAnswer(calls: ProviderCall[], answer: () => Parameters<ProofStack['llm']['script']>[1]) {
  return () => {
    calls.push({ arrivedAt: Date.now() });
    return answer();
  };
}

describe('fleet breaker across four worker processes', { timeout: 300_000 }, () => {
  let stack: ProofStack;
  const revokedKey = randomTenantKey();
  const replacementKey = randomTenantKey();
  const healthyKey = randomTenantKey();
  const throttledKey = randomTenantKey();
  const revokedCalls: ProviderCall[] = [];
  const throttledCalls: ProviderCall[] = [];
  const revoked: AuditRequest[] = Array.from({ length: 6 }, (_, i) => ({
    tenantId: 'tenant-revoked',
    plan: 'ltd',
    auditId: `revoked-${i}`,
  }));
  const healthy: AuditRequest[] = [
    ...Array.from({ length: 3 }, (_, i) => ({
      tenantId: 'tenant-healthy-ltd',
      plan: 'ltd' as const,
      auditId: `healthy-ltd-${i}`,
    })),
    ...Array.from({ length: 2 }, (_, i) => ({
      tenantId: 'tenant-healthy-mrr',
      plan: 'mrr' as const,
      auditId: `healthy-mrr-${i}`,
    })),
  ];
  const throttled: AuditRequest[] = Array.from({ length: 4 }, (_, i) => ({
    tenantId: 'tenant-throttled',
    plan: 'ltd',
    auditId: `throttled-${i}`,
  }));

  beforeAll(async () => {
    stack = await startProofStack({
      name: 'breaker',
      keyServiceEnv: { KEY_SERVICE_BREAKER_COOLDOWN_SECONDS: '2' },
    });
    await stack.putKey('tenant-revoked', revokedKey);
    await stack.putKey('tenant-healthy-ltd', healthyKey);
    await stack.putKey('tenant-healthy-mrr', healthyKey);
    await stack.putKey('tenant-throttled', throttledKey);
    stack.llm.setDefault(healthyKey, { kind: 'ok', json: plainRubricAnswer });
    stack.llm.setDefault(replacementKey, { kind: 'ok', json: plainRubricAnswer });
    // The revoked key's 401 is held back a little, so calls are really in flight when the breaker trips.
    stack.llm.setDefault(
      revokedKey,
      recordingAnswer(revokedCalls, () => ({ kind: 'auth_error', delayMs: 200 })),
    );
    // 429 with retry-after until the cool-down after the trip is over, then the provider accepts again.
    stack.llm.setDefault(
      throttledKey,
      recordingAnswer(throttledCalls, () => {
        const trip = tripsOf(stack.recorder.exchanges(), 'tenant-throttled')[0];
        const coolDownOver = trip !== undefined && Date.now() >= trip.answeredAt + RETRY_AFTER_SECONDS * 1000;
        return coolDownOver
          ? { kind: 'ok', json: plainRubricAnswer }
          : { kind: 'rate_limited', retryAfterSeconds: RETRY_AFTER_SECONDS, delayMs: 100 };
      }),
    );
    // Four processes: three lifetime-deal workers share the flooded tenants, one priority worker.
    await Promise.all([
      stack.startWorker('worker-standard-1', 'eeat-standard'),
      stack.startWorker('worker-standard-2', 'eeat-standard'),
      stack.startWorker('worker-standard-3', 'eeat-standard'),
      stack.startWorker('worker-priority-1', 'eeat-priority'),
    ]);
  }, 600_000);

  afterAll(async () => {
    await stack?.close();
  }, 180_000);

  describe('a revoked key (401)', () => {
    let newKeyStoredAt = 0;
    let resumedAllAt = 0;

    beforeAll(async () => {
      const revokedRuns = await startAudits(stack.client, stack.site, revoked, PAGES);
      const healthyRuns = await startAudits(stack.client, stack.site, healthy, PAGES);
      await awaitAudits(healthyRuns, 300_000);
      // Every revoked audit ends up parked (TenantParked) rather than failed.
      await waitUntil(
        async () =>
          (await countWorkflows(
            stack,
            `TenantId = 'tenant-revoked' AND ExecutionStatus = 'Running' AND TenantParked = true`,
          )) === revoked.length,
        {
          what: 'every revoked audit to park',
          timeoutMs: 240_000,
          intervalMs: 1000,
          explain: () => describeTraffic(stack.recorder.exchanges(), 'tenant-revoked', revokedCalls.length),
        },
      );
      newKeyStoredAt = Date.now();
      await stack.putKey('tenant-revoked', replacementKey);
      await resumeTenantWorkflows(stack.client, 'tenant-revoked', 'openai');
      await awaitAudits(revokedRuns, 120_000);
      resumedAllAt = Date.now();
    }, 900_000);

    it('should trip the breaker on the 6th key failure counted across the fleet', async () => {
      const outcomes = await reportOutcomes(stack, 'tenant-revoked');
      const tripIndex = outcomes.findIndex((o) => o.startsWith('tripped:'));
      expect(outcomes.filter((o) => o.startsWith('tripped:'))).toEqual(['tripped:auth_failure']);
      expect(outcomes.slice(0, tripIndex + 1).filter((o) => o.endsWith(':auth_failure'))).toHaveLength(6);
      // The failures came from more than one process: the count is fleet-wide, not per pod.
      const callers = stack.workers.filter((w) =>
        /LLM call failed[^\n]*tenant-revoked|tenant-revoked[^\n]*LLM call failed/.test(w.output()),
      );
      expect(callers.length).toBeGreaterThanOrEqual(2);
    });

    it('should send the provider no call for the tenant after the trip except those already in flight', () => {
      const timeline = breakerTimeline(
        stack.recorder.exchanges(),
        revokedCalls,
        'tenant-revoked',
        'auth_failure',
        newKeyStoredAt,
      );
      const callsBeforeNewKey = revokedCalls.filter((c) => c.arrivedAt < newKeyStoredAt);
      console.info(
        `[proof] 401 breaker: trip after ${timeline.keyFailuresAtTrip} answered key-failure reports; ${timeline.inFlightAtTrip} calls in flight at the trip; ` +
          `${timeline.callsAfterTrip} provider calls after it; ${callsBeforeNewKey.length} calls with the revoked key in total`,
      );
      expect(timeline.grantsAfterTrip).toEqual([]);
      expect(timeline.callsAfterTrip).toBeLessThanOrEqual(timeline.inFlightAtTrip);
    });

    it('should complete every audit of the healthy tenants while the other tenant is paused', async () => {
      const ledger = await ledgerOf(
        stack.client,
        stack.stores,
        healthy.map((h) => ({ ...h, workflowId: `eeat-audit:${h.tenantId}:${h.auditId}` })),
      );
      expect(incompleteOrDuplicated(ledger, (e) => e.pagesTotal)).toEqual([]);
      expect(ledger.every((e) => e.pagesTotal >= 1)).toBe(true);
      expect(stack.llm.calls(healthyKey)).toBeGreaterThan(0);
    });

    it('should resume and complete every parked audit within a minute of the new key being stored', async () => {
      expect(resumedAllAt - newKeyStoredAt).toBeLessThan(60_000);
      const ledger = await ledgerOf(
        stack.client,
        stack.stores,
        revoked.map((r) => ({ ...r, workflowId: `eeat-audit:${r.tenantId}:${r.auditId}` })),
      );
      expect(incompleteOrDuplicated(ledger, (e) => e.pagesTotal)).toEqual([]);
      expect(stack.llm.calls(replacementKey)).toBeGreaterThan(0);
      console.info(
        `[proof] 401 breaker: all ${revoked.length} parked audits completed ${((resumedAllAt - newKeyStoredAt) / 1000).toFixed(1)} s after the new key was stored`,
      );
    });
  });

  describe('a rate-limited key (429 with retry-after)', () => {
    let closedAt = 0;
    let tripAt = 0;

    beforeAll(async () => {
      const runs = await startAudits(stack.client, stack.site, throttled, PAGES);
      const trip = await waitUntil(() => tripsOf(stack.recorder.exchanges(), 'tenant-throttled')[0], {
        what: 'the 429 trip',
        timeoutMs: 240_000,
        explain: () => describeTraffic(stack.recorder.exchanges(), 'tenant-throttled', throttledCalls.length),
      });
      tripAt = trip.answeredAt;
      await waitUntil(
        async () =>
          (await countWorkflows(
            stack,
            `TenantId = 'tenant-throttled' AND ExecutionStatus = 'Running' AND TenantParked = true`,
          )) === throttled.length,
        {
          what: 'every throttled audit to park',
          timeoutMs: 240_000,
          intervalMs: 1000,
          explain: () =>
            describeTraffic(stack.recorder.exchanges(), 'tenant-throttled', throttledCalls.length),
        },
      );
      // After the retry-after, waking the parked audits lets exactly one of them probe the key.
      await sleep(Math.max(0, tripAt + RETRY_AFTER_SECONDS * 1000 + 1000 - Date.now()));
      await resumeTenantWorkflows(stack.client, 'tenant-throttled', 'openai');
      const closing = await waitUntil(
        () =>
          stack.recorder
            .exchanges()
            .find(
              (e) =>
                e.tenantId === 'tenant-throttled' &&
                e.route === '/v1/keys/report' &&
                e.outcome === 'success' &&
                e.startedAt > tripAt,
            ),
        {
          what: 'the probe to close the breaker',
          timeoutMs: 120_000,
          explain: () =>
            describeTraffic(stack.recorder.exchanges(), 'tenant-throttled', throttledCalls.length),
        },
      );
      closedAt = closing.answeredAt;
      await resumeTenantWorkflows(stack.client, 'tenant-throttled', 'openai');
      await awaitAudits(runs, 180_000);
    }, 900_000);

    it('should trip on the 6th rate-limited answer counted across the fleet', async () => {
      const outcomes = await reportOutcomes(stack, 'tenant-throttled');
      const tripIndex = outcomes.findIndex((o) => o.startsWith('tripped:'));
      expect(outcomes.filter((o) => o.startsWith('tripped:'))).toEqual(['tripped:rate_limited']);
      expect(outcomes.slice(0, tripIndex + 1).filter((o) => o.endsWith(':rate_limited'))).toHaveLength(6);
    });

    it('should let exactly one probe reach the provider after the cool-down', () => {
      const coolDownEnd = tripAt + RETRY_AFTER_SECONDS * 1000;
      const probes = throttledCalls.filter((c) => c.arrivedAt >= coolDownEnd && c.arrivedAt <= closedAt);
      const probeGrants = stack.recorder
        .exchanges()
        .filter((e) => e.tenantId === 'tenant-throttled' && e.route === '/v1/keys/acquire' && e.probe);
      console.info(
        `[proof] 429 breaker: ${probes.length} provider call(s) between the end of the cool-down and the breaker closing; ${probeGrants.length} probe grant(s)`,
      );
      expect(probes).toHaveLength(1);
      expect(probeGrants).toHaveLength(1);
    });

    it('should complete every throttled audit exactly once after the breaker closed', async () => {
      const ledger = await ledgerOf(
        stack.client,
        stack.stores,
        throttled.map((r) => ({ ...r, workflowId: `eeat-audit:${r.tenantId}:${r.auditId}` })),
      );
      expect(incompleteOrDuplicated(ledger, (e) => e.pagesTotal)).toEqual([]);
    });
  });

  it('should fail no workflow in any of the runs', async () => {
    expect(
      await countWorkflows(
        stack,
        `ExecutionStatus = 'Failed' OR ExecutionStatus = 'Terminated' OR ExecutionStatus = 'TimedOut'`,
      ),
    ).toBe(0);
    expect(await countWorkflows(stack, `ExecutionStatus = 'Completed'`)).toBe(
      revoked.length + healthy.length + throttled.length,
    );
  });
  describe('secret-leak scan after the run', () => {
    const tenantKeys = (): string[] => [revokedKey, replacementKey, healthyKey, throttledKey];

    it('should find no tenant key, nor any 8-character piece of one, in any history, log, metrics page, store, environment or rendered chart', async () => {
      const reports = await scanStack(stack, tenantKeys());
      console.info(
        `[proof] leak scan: ${reports.map((r) => `${r.source} ${r.items} read, ${r.hits.length} hits`).join('; ')}`,
      );
      for (const report of reports) expect(report.items, `${report.source} read nothing`).toBeGreaterThan(0);
      expect(reports.flatMap((r) => r.hits)).toEqual([]);
    });

    it('should find a key planted in each of those places', async () => {
      const canary = randomTenantKey();
      const planted = await plantCanary(stack, canary);
      try {
        const reports = await scanStack(stack, [canary], planted.extras);
        const blind = reports.filter((r) => r.hits.length === 0).map((r) => r.source);
        expect(blind).toEqual([]);
        // The real keys are still nowhere, even with the canary around.
        const again = await scanStack(stack, tenantKeys(), planted.extras);
        expect(again.flatMap((r) => r.hits)).toEqual([]);
      } finally {
        await planted.remove();
      }
    });
  });
});
