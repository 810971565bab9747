/**
 * Durable execution under faults: each scenario starts real audits (LLM scoring through the stand-in, results
 * to ClickHouse and Neo4j) on real eeat-worker processes, breaks one part of the platform in the middle, and
 * ends with every audit completed exactly once (one ClickHouse row per page outcome, read FINAL and after a full
 * merge; one completed site row; one Audit node with one EVALUATED edge per page).
 *
 * The kill -9 scenario runs alongside the others: the SDK heartbeats the LLM activity while it runs, so the server
 * hands the killed worker's activity to another worker once its 30-second heartbeat timeout passes.
 *
 * A platform fault delays pages, it never fails one: after every scenario no page is recorded as failed. The key
 * service and ClickHouse scenarios also check, in the workflow histories, that the outage really hit the steps
 * they are about (key fetches of the LLM step; the collection step's store write).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../harness/index.js';
import neo4j, { type Integer } from 'neo4j-driver';
import pg from 'pg';
import {
  awaitAudits,
  incompleteOrDuplicated,
  ledgerOf,
  startAudits,
  withFailedPages,
  type AuditLedgerEntry,
  type AuditRequest,
} from './support/audit-ledger.js';
import { startProofStack, type ProofStack } from './support/proof-stack.js';
import {
  startSampleSite,
  type SampleSite,
} from '../../packages/eeat-worker/test/local-stack/sample-site-server.js';
import { plainRubricAnswer } from './support/rubric-answer.js';
import { randomTenantKey } from './support/test-keys.js';
import type { FleetWorker } from './support/worker-fleet.js';
import type { StartedAudit } from '../../packages/eeat-worker/src/routing/start-audit.js';

const PAGES = 2;
const AUDITS_PER_SCENARIO = 2;
const KEY_SERVICE_DOWN_SECONDS = 60;
/** More pages than the audits' per-host concurrency (2): later rating batches fetch keys during the outage. */
const KEY_OUTAGE_PAGES = 4;
/** How long the slow sample site holds each page back, so a collection is in flight when ClickHouse stops. */
const SLOW_PAGE_MS = 5_000;

interface Scenario {
  readonly tenantId: string;
  readonly key: string;
  readonly requests: AuditRequest[];
  runs: StartedAudit[];
}

function scenario(name: string, plan: 'mrr' | 'ltd'): Scenario {
  const tenantId = `fault-${name}`;
  return {
    tenantId,
    key: randomTenantKey(),
    requests: Array.from({ length: AUDITS_PER_SCENARIO }, (_, i) => ({
      tenantId,
      plan,
      auditId: `${name}-${i}`,
    })),
    runs: [],
  };
}

describe('audits survive faults and complete exactly once', { timeout: 600_000 }, () => {
  let stack: ProofStack;
  let slowSite: SampleSite;
  let standardA: FleetWorker;
  let priorityA: FleetWorker;
  const ledgers = new Map<string, AuditLedgerEntry[]>();
  const scenarios = {
    kill: scenario('kill', 'ltd'),
    temporal: scenario('temporal', 'mrr'),
    keys: scenario('keys', 'mrr'),
    postgres: scenario('postgres', 'mrr'),
    clickhouse: scenario('clickhouse', 'mrr'),
    neo4j: scenario('neo4j', 'mrr'),
    sigterm: scenario('sigterm', 'mrr'),
  };

  /** Starts a scenario's audits and resolves once the stand-in has its first call: the audits are mid-way. */
  async function begin(s: Scenario, answerDelayMs: number, pages = PAGES): Promise<void> {
    await stack.putKey(s.tenantId, s.key);
    stack.llm.setDefault(s.key, { kind: 'ok', json: plainRubricAnswer, delayMs: answerDelayMs });
    s.runs = await startAudits(stack.client, stack.site, s.requests, pages);
    await waitUntil(() => stack.llm.calls(s.key) > 0, {
      what: `the first LLM call of ${s.tenantId}`,
      timeoutMs: 240_000,
    });
  }

  /** Nodes in the graph, read over a fresh Bolt connection (so it also says whether Neo4j answers). */
  async function neo4jNodeCount(): Promise<number> {
    const { boltUrl, username, password } = stack.neo4j.settings;
    const driver = neo4j.driver(boltUrl, neo4j.auth.basic(username, password));
    try {
      const { records } = await driver.executeQuery('MATCH (n) RETURN count(n) AS nodes');
      const nodes = records[0]?.get('nodes') as Integer | undefined;
      if (nodes === undefined) throw new Error('count(n) returned no row');
      return nodes.toNumber();
    } finally {
      await driver.close();
    }
  }

  /**
   * Every attempt-related event of the runs' activities, with the activity type resolved from its scheduled event:
   * a started attempt (its number and the previous attempt's failure) or a final failure.
   */
  async function activityAttempts(
    runs: readonly StartedAudit[],
  ): Promise<Array<{ activityType: string; attempt: number; failure: string | undefined }>> {
    const attempts: Array<{ activityType: string; attempt: number; failure: string | undefined }> = [];
    for (const run of runs) {
      const history = await stack.client.workflow.getHandle(run.workflowId).fetchHistory();
      const activityTypes = new Map<string, string>();
      for (const event of history.events ?? []) {
        const scheduled = event.activityTaskScheduledEventAttributes;
        if (scheduled) activityTypes.set(String(event.eventId), scheduled.activityType?.name ?? 'unknown');
        const started = event.activityTaskStartedEventAttributes;
        if (started)
          attempts.push({
            activityType: activityTypes.get(String(started.scheduledEventId)) ?? 'unknown',
            attempt: started.attempt ?? 1,
            failure: started.lastFailure?.message ?? undefined,
          });
        const failed = event.activityTaskFailedEventAttributes;
        if (failed?.failure)
          attempts.push({
            activityType: activityTypes.get(String(failed.scheduledEventId)) ?? 'unknown',
            attempt: 0,
            failure: failed.failure.message ?? '',
          });
      }
    }
    return attempts;
  }

  /** Activities of a scenario's workflows that needed more than one attempt, e.g. `recordGraph (attempt 3)`. */
  async function retriedActivities(s: Scenario): Promise<string[]> {
    return (await activityAttempts(s.runs))
      .filter((a) => a.attempt > 1)
      .map((a) => `${a.activityType} (attempt ${a.attempt})`);
  }

  /** Activity types a workflow has scheduled so far. */
  async function scheduledActivities(run: StartedAudit): Promise<string[]> {
    const history = await stack.client.workflow.getHandle(run.workflowId).fetchHistory();
    return (history.events ?? []).flatMap(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [],
    );
  }

  /** Why attempts of `activityType` failed in the given runs: every failure recorded for a retried or failed attempt. */
  async function attemptFailures(runs: readonly StartedAudit[], activityType: string): Promise<string[]> {
    return (await activityAttempts(runs)).flatMap((a) =>
      a.activityType === activityType && a.failure !== undefined ? [a.failure] : [],
    );
  }

  async function finish(s: Scenario, timeoutMs: number): Promise<AuditLedgerEntry[]> {
    await awaitAudits(s.runs, timeoutMs);
    const ledger = await ledgerOf(
      stack.client,
      stack.stores,
      s.runs.map((r, i) => ({ ...(s.requests[i] as AuditRequest), workflowId: r.workflowId })),
    );
    ledgers.set(s.tenantId, ledger);
    return ledger;
  }

  beforeAll(async () => {
    slowSite = await startSampleSite({ pageDelayMs: SLOW_PAGE_MS });
    stack = await startProofStack({ name: 'faults' });
    [standardA, priorityA] = await Promise.all([
      stack.startWorker('standard-a', 'eeat-standard'),
      stack.startWorker('priority-a', 'eeat-priority'),
    ]);
  }, 600_000);

  afterAll(async () => {
    for (const [tenant, ledger] of ledgers) {
      console.info(
        `[proof] ${tenant}: ${ledger.map((e) => `${e.auditId} ${e.status} pages=${e.pagesTotal} failed=${e.pagesFailed} ch=${e.clickhouseRowsFinal}/${e.clickhouseRowsMerged} neo4j=${e.neo4jAuditNodes}+${e.neo4jEvaluatedEdges}`).join('; ')}`,
      );
    }
    await stack?.close();
    await slowSite?.close();
  }, 180_000);

  it('should complete every audit once when a worker is killed with SIGKILL in the middle of an activity (started here, checked last)', async () => {
    // Slow answers keep the LLM activity in flight on the one standard worker when it dies.
    await begin(scenarios.kill, 4_000);
    await standardA.kill();
    await stack.startWorker('standard-b', 'eeat-standard');
    expect(standardA.exited()).toBe(true);
  });

  it('should complete every audit once across a stop and restart of the Temporal server (same database file)', async () => {
    await begin(scenarios.temporal, 1_500);
    await stack.temporal.restart();
    const ledger = await finish(scenarios.temporal, 300_000);
    expect(incompleteOrDuplicated(ledger, (e) => e.pagesTotal)).toEqual([]);
    expect(withFailedPages(ledger)).toEqual([]);
  });

  it(`should complete every audit once when the key service is down for ${KEY_SERVICE_DOWN_SECONDS} s`, async () => {
    // The first rating batch is in flight when the key service stops; the next ones fetch keys during the outage.
    await begin(scenarios.keys, 1_500, KEY_OUTAGE_PAGES);
    await stack.stopWorkerKeyService();
    await sleep(KEY_SERVICE_DOWN_SECONDS * 1000);
    await stack.startWorkerKeyService();
    const ledger = await finish(scenarios.keys, 420_000);
    expect(incompleteOrDuplicated(ledger, (e) => e.pagesTotal)).toEqual([]);
    expect(withFailedPages(ledger)).toEqual([]);
    const refused = (await attemptFailures(scenarios.keys.runs, 'ratePageLlm')).filter((m) =>
      /Key service .*unreachable/.test(m),
    );
    console.info(
      `[proof] key-service outage as the workflows saw it: ${refused.length} ratePageLlm attempts failed on the unreachable key service`,
    );
    expect(refused.length).toBeGreaterThan(0);
  });

  it('should complete every audit once across a PostgreSQL restart', async () => {
    await begin(scenarios.postgres, 1_500);
    await stack.restarter.stop('postgres');
    await sleep(5_000);
    await stack.restarter.start('postgres', async () => {
      const db = new pg.Client({ connectionString: stack.keysDatabase.url });
      await db.connect();
      await db.end();
      return true;
    });
    const ledger = await finish(scenarios.postgres, 300_000);
    expect(incompleteOrDuplicated(ledger, (e) => e.pagesTotal)).toEqual([]);
    expect(withFailedPages(ledger)).toEqual([]);
  });

  it('should complete every audit once when ClickHouse is down while pages are collected and results are written', async () => {
    // One audit is rating (a slow answer: its result write comes during the outage), the other one, on a slow
    // site, is collecting (its page's store write comes during the outage) when ClickHouse stops.
    const s = scenarios.clickhouse;
    const [rating, collecting] = s.requests as [AuditRequest, AuditRequest];
    await stack.putKey(s.tenantId, s.key);
    stack.llm.setDefault(s.key, { kind: 'ok', json: plainRubricAnswer, delayMs: 4_000 });
    s.runs = [
      ...(await startAudits(stack.client, stack.site, [rating], PAGES)),
      ...(await startAudits(stack.client, slowSite, [collecting], PAGES)),
    ];
    const slowRun = s.runs[1] as StartedAudit;
    await waitUntil(() => stack.llm.calls(s.key) > 0, {
      what: `the first LLM call of ${s.tenantId}`,
      timeoutMs: 240_000,
    });
    await waitUntil(async () => (await scheduledActivities(slowRun)).includes('collectPageRange'), {
      what: `the collection step of ${collecting.auditId}`,
      timeoutMs: 240_000,
    });
    await stack.restarter.stop('clickhouse');
    await sleep(20_000);
    await stack.restarter.start(
      'clickhouse',
      async () => (await fetch(`${stack.clickhouseSettings.url}/ping`)).ok,
    );
    const ledger = await finish(scenarios.clickhouse, 300_000);
    expect(incompleteOrDuplicated(ledger, (e) => e.pagesTotal)).toEqual([]);
    expect(withFailedPages(ledger)).toEqual([]);
    const storeFailures = (await attemptFailures([slowRun], 'collectPageRange')).filter((m) =>
      m.startsWith('result store: '),
    );
    console.info(
      `[proof] ClickHouse outage as the collection step saw it: ${storeFailures.length} collectPageRange attempts failed on the result store`,
    );
    expect(storeFailures.length).toBeGreaterThan(0);
  });

  it('should complete every audit once when Neo4j is down while results are written', async () => {
    await begin(scenarios.neo4j, 1_000);
    // The graph the earlier scenarios wrote must come back with the server (same folder, same port).
    const nodesBefore = await neo4jNodeCount();
    expect(nodesBefore).toBeGreaterThan(0);
    // The server itself stops (in order) for 20 s and starts again in place; workers reconnect on their own.
    const stopStarted = Date.now();
    await stack.restarter.stop('neo4j');
    const stopMs = Date.now() - stopStarted;
    await sleep(20_000);
    const startStarted = Date.now();
    await stack.restarter.start('neo4j', async () => (await neo4jNodeCount()) >= 0);
    const startMs = Date.now() - startStarted;
    expect(await neo4jNodeCount()).toBeGreaterThanOrEqual(nodesBefore);
    console.info(
      `[proof] Neo4j restart: stopped in ${(stopMs / 1000).toFixed(1)} s, answering again ${(startMs / 1000).toFixed(1)} s after its start on ${stack.neo4j.settings.boltUrl} (${nodesBefore} nodes before the outage)`,
    );
    const ledger = await finish(scenarios.neo4j, 300_000);
    expect(incompleteOrDuplicated(ledger, (e) => e.pagesTotal)).toEqual([]);
    expect(withFailedPages(ledger)).toEqual([]);
    console.info(
      `[proof] Neo4j outage as the workflows saw it: ${(await retriedActivities(scenarios.neo4j)).join(', ') || 'no activity retried'}`,
    );
  });

  it('should let a SIGTERMed worker finish its in-flight activities within its grace time', async () => {
    await begin(scenarios.sigterm, 3_000);
    const exitMs = await priorityA.stop();
    await stack.startWorker('priority-b', 'eeat-priority');
    const ledger = await finish(scenarios.sigterm, 300_000);
    expect(incompleteOrDuplicated(ledger, (e) => e.pagesTotal)).toEqual([]);
    expect(withFailedPages(ledger)).toEqual([]);
    // Finished, not abandoned: no LLM activity of these audits timed out or needed a second attempt.
    for (const run of scenarios.sigterm.runs) {
      const history = await stack.client.workflow.getHandle(run.workflowId).fetchHistory();
      const events = history.events ?? [];
      expect(events.filter((e) => e.activityTaskTimedOutEventAttributes)).toEqual([]);
      expect(events.filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1)).toEqual([]);
    }
    expect(priorityA.output()).not.toMatch(/SIGKILL/);
    expect(exitMs).toBeLessThan(20_000);
    console.info(
      `[proof] SIGTERM: worker exited ${(exitMs / 1000).toFixed(1)} s after the signal (grace 20 s)`,
    );
  });

  it('should have completed the audits of the SIGKILLed worker exactly once', async () => {
    const ledger = await finish(scenarios.kill, 480_000);
    expect(incompleteOrDuplicated(ledger, (e) => e.pagesTotal)).toEqual([]);
    expect(withFailedPages(ledger)).toEqual([]);
  }, 600_000);
});
