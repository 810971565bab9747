import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdmissionQueueFullError,
  AuditStarter,
  InvalidAdmissionSettingsError,
  StartAdmission,
} from '../../src/routing/start-admission.js';
import { InvalidAuditRequestError } from '../../src/routing/start-audit.js';
import { useServices } from '../../../../test/harness/index.js';

/** A start that records when it was sent and answers with its index. */
function recorder() {
  const sentAt: number[] = [];
  return {
    sentAt,
    start: (i: number) => () => {
      sentAt[i] = Date.now();
      return Promise.resolve(i);
    },
  };
}

describe('StartAdmission', () => {
  it('should send admitted starts evenly spaced at the configured rate', async () => {
    const admission = new StartAdmission({ startsPerSecond: 20, maxWaiting: 100 });
    const { sentAt, start } = recorder();
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 9 }, (_, i) => admission.admit(start(i))));
    expect(sentAt[0]! - t0).toBeLessThan(30);
    for (let i = 1; i < 9; i++) expect(sentAt[i]! - sentAt[i - 1]!).toBeGreaterThanOrEqual(45);
    expect(sentAt[8]! - t0).toBeGreaterThanOrEqual(8 * 45);
  });

  it('should run every admitted start exactly once and hand back its own result', async () => {
    const admission = new StartAdmission({ startsPerSecond: 200, maxWaiting: 100 });
    const { sentAt, start } = recorder();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => admission.admit(start(i))));
    expect(results).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(sentAt.filter((t) => t !== undefined)).toHaveLength(30);
    expect(admission.waiting).toBe(0);
  });

  it('should refuse a start at once, without sending it, when maxWaiting starts already wait', async () => {
    const admission = new StartAdmission({ startsPerSecond: 10, maxWaiting: 2 });
    const { sentAt, start } = recorder();
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => admission.admit(start(i))));
    // The first is sent at once, two wait their turn, the last two are refused.
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
    ]);
    const refused = outcomes[3] as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(AdmissionQueueFullError);
    expect((refused.reason as AdmissionQueueFullError).type).toBe('ADMISSION_QUEUE_FULL');
    expect(sentAt[3]).toBeUndefined();
    expect(sentAt[4]).toBeUndefined();
  });

  it('should reject the starts still waiting when its signal is aborted, and send none of them', async () => {
    const stop = new AbortController();
    const admission = new StartAdmission({ startsPerSecond: 2, maxWaiting: 10, signal: stop.signal });
    const { sentAt, start } = recorder();
    const pending = Array.from({ length: 4 }, (_, i) => admission.admit(start(i)));
    stop.abort(new Error('shutting down'));
    const outcomes = await Promise.allSettled(pending);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected']);
    expect(sentAt.filter((t) => t !== undefined)).toHaveLength(1);
    expect(admission.waiting).toBe(0);
  });

  it('should name the setting when the rate or the line length is invalid', () => {
    expect(() => new StartAdmission({ startsPerSecond: 0, maxWaiting: 1 })).toThrow(/startsPerSecond/);
    expect(() => new StartAdmission({ startsPerSecond: Number.NaN, maxWaiting: 1 })).toThrow(
      InvalidAdmissionSettingsError,
    );
    expect(() => new StartAdmission({ startsPerSecond: 1, maxWaiting: 0 })).toThrow(/maxWaiting/);
  });
});

describe('AuditStarter on the Temporal dev server', { timeout: 60_000 }, () => {
  let connection: Connection;
  let client: Client;
  const tenant = `admission-${randomUUID().slice(0, 8)}`;
  const workflowIds: string[] = [];
  // Nothing listens on port 9; no audit started here is ever meant to run to a result.
  const request = (plan: 'mrr' | 'ltd', i: number) => ({
    tenantId: tenant,
    plan,
    siteUrl: 'http://127.0.0.1:9/',
    auditId: `${plan}-${i}`,
  });

  beforeAll(async () => {
    const { temporal } = await useServices('temporal');
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection, namespace: temporal.namespace });
  });

  afterAll(async () => {
    await Promise.allSettled(
      workflowIds.map((id) => client.workflow.getHandle(id).terminate('admission test done')),
    );
    await connection?.close();
  });

  it('should start a paying customer’s audit at once while lifetime-deal starts wait their turn', async () => {
    const starter = new AuditStarter(client, { startsPerSecond: 2, maxWaiting: 100 });
    const ltd = Array.from({ length: 4 }, (_, i) => starter.start(request('ltd', i)));
    expect(starter.waiting).toBe(3);
    const mrrSentAt = Date.now();
    const mrr = await starter.start(request('mrr', 0));
    const mrrMs = Date.now() - mrrSentAt;
    const lifetime = await Promise.all(ltd);
    workflowIds.push(mrr.workflowId, ...lifetime.map((s) => s.workflowId));

    expect(mrr.taskQueue).toBe('eeat-priority');
    expect(lifetime.map((s) => s.taskQueue)).toEqual(Array(4).fill('eeat-standard'));
    const started = await Promise.all(
      [mrr, ...lifetime].map(async (s) => (await s.handle.describe()).startTime.getTime()),
    );
    const [mrrStart, ...ltdStarts] = started as [number, ...number[]];
    // The server saw the lifetime-deal starts about 500 ms apart, and the paying one before the second of them.
    for (let i = 1; i < ltdStarts.length; i++)
      expect(ltdStarts[i]! - ltdStarts[i - 1]!).toBeGreaterThanOrEqual(400);
    expect(mrrStart).toBeLessThan(ltdStarts[1]!);
    expect(mrrMs).toBeLessThan(400);
  });

  it('should refuse an invalid request before it waits in line', async () => {
    const starter = new AuditStarter(client, { startsPerSecond: 0.5, maxWaiting: 1 });
    const sentAtOnce = starter.start(request('ltd', 10));
    const waiting = starter.start(request('ltd', 11));
    expect(starter.waiting).toBe(1);
    // The line is full, yet the invalid request is told what is wrong with it, not to come back later.
    await expect(starter.start({ ...request('ltd', 12), siteUrl: 'not a url' })).rejects.toThrow(
      InvalidAuditRequestError,
    );
    await expect(starter.start(request('ltd', 13))).rejects.toThrow(AdmissionQueueFullError);
    workflowIds.push(...(await Promise.all([sentAtOnce, waiting])).map((s) => s.workflowId));
  });
});
