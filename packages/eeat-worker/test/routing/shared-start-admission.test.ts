import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharedStartAdmission } from '../../src/routing/shared-start-admission.js';
import { AuditStarter } from '../../src/routing/start-admission.js';
import { createDatabase, useServices } from '../../../../test/harness/index.js';

const FLOOD_PROCESS = fileURLToPath(new URL('./admission-flood-process.ts', import.meta.url));

/** Starts one flooding process; resolves with the send times of its starts. */
function flood(env: Record<string, string>): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FLOOD_PROCESS], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`flooding process exited ${String(code)}: ${err.slice(-2000)}`));
      else resolve((JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { sentAt: number[] }).sentAt);
    });
  });
}

describe(
  'SharedStartAdmission: one lifetime-deal start rate for every starting process',
  { timeout: 120_000 },
  () => {
    let url: string;
    let pool: pg.Pool;
    let connection: Connection;
    let client: Client;
    const workflowIds: string[] = [];

    beforeAll(async () => {
      url = (await createDatabase('shared_admission')).url;
      pool = new pg.Pool({ connectionString: url, max: 2 });
      const { temporal } = await useServices('temporal');
      connection = await Connection.connect({ address: temporal.address });
      client = new Client({ connection, namespace: temporal.namespace });
    });
    afterAll(async () => {
      await Promise.allSettled(workflowIds.map((id) => client.workflow.getHandle(id).terminate('test done')));
      await connection?.close();
      await pool?.end();
    });

    it('should admit three processes dumping starts at once at the configured total rate, dropping none, while paying customers start at once', async () => {
      const rate = 20;
      const perProcess = 40;
      const budget = `fleet-${randomUUID().slice(0, 8)}`;
      const startAt = Date.now() + 6_000; // every process has loaded and waits for the same instant
      const floods = [0, 1, 2].map(() =>
        flood({
          APEXSEO_TEST_PG_URL: url,
          APEXSEO_TEST_BUDGET: budget,
          APEXSEO_TEST_RATE: String(rate),
          APEXSEO_TEST_STARTS: String(perProcess),
          APEXSEO_TEST_START_AT: String(startAt),
        }),
      );

      // This process is a fourth starter of the same fleet, in the middle of the flood: five recorded lifetime-deal
      // starts and a real one through AuditStarter share the budget; a paying customer's start does not use it.
      const admission = new SharedStartAdmission({ pool, budget, startsPerSecond: rate, maxWaiting: 10 });
      const starter = new AuditStarter(client, admission);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now()) + 1_500));
      const tenant = `fleet-${randomUUID().slice(0, 8)}`;
      const request = (plan: 'mrr' | 'ltd') => ({ tenantId: tenant, plan, siteUrl: 'http://127.0.0.1:9/' });
      const mine = Array.from({ length: 5 }, () => admission.admit(() => Promise.resolve(Date.now())));
      const ltd = starter.start(request('ltd'));
      const mrrAskedAt = Date.now();
      const mrr = await starter.start(request('mrr'));
      const mrrMs = Date.now() - mrrAskedAt;
      const waitedLtd = await ltd;
      workflowIds.push(mrr.workflowId, waitedLtd.workflowId);

      const flooded = (await Promise.all(floods)).flat();
      const sent = [...flooded, ...(await Promise.all(mine))].sort((a, b) => a - b);
      // Nothing dropped: every start of every process was sent.
      expect(flooded).toHaveLength(3 * perProcess);
      // Together at the configured rate: 126 starts at 20/s take over 6 s, and no two seconds of the flood saw more
      // than twice the rate (slots are evenly spaced on the database's clock; a process that wakes late on a busy
      // machine sends a little late, next to the following slot's start).
      const span = sent.at(-1)! - sent[0]!;
      expect(span).toBeGreaterThanOrEqual(((sent.length - 1) / rate) * 1000 * 0.95);
      for (const t of sent)
        expect(sent.filter((u) => u >= t && u < t + 2000).length).toBeLessThanOrEqual(2 * rate + 2);
      // The paying customer's start did not wait for the budget (its time is one start RPC on a busy machine).
      expect(mrrMs).toBeLessThan(2_000);
      expect(waitedLtd.taskQueue).toBe('eeat-standard');
    });

    it('should admit at once when the shared budget is idle, and keep starts waiting (not dropped) while PostgreSQL is unreachable', async () => {
      const idle = new SharedStartAdmission({
        pool,
        budget: `idle-${randomUUID().slice(0, 8)}`,
        startsPerSecond: 1,
        maxWaiting: 5,
      });
      const t0 = Date.now();
      await idle.admit(() => Promise.resolve());
      expect(Date.now() - t0).toBeLessThan(1_000);

      const deadPool = new pg.Pool({ connectionString: 'postgres://nobody:none@127.0.0.1:9/none', max: 1 });
      const errors: unknown[] = [];
      const stop = new AbortController();
      const stranded = new SharedStartAdmission({
        pool: deadPool,
        startsPerSecond: 10,
        maxWaiting: 5,
        retryMs: 100,
        onStoreError: (err) => errors.push(err),
        signal: stop.signal,
      });
      let sent = false;
      const waiting = stranded.admit(() => {
        sent = true;
        return Promise.resolve();
      });
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(sent).toBe(false);
      expect(stranded.waiting).toBe(1);
      expect(errors.length).toBeGreaterThan(0);
      stop.abort(new Error('shutting down'));
      await expect(waiting).rejects.toThrow('shutting down');
      await deadPool.end();
    });
  },
);
