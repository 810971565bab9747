/**
 * Dumps N lifetime-deal audits on a task queue at once: several client connections, each keeping a window of
 * start RPCs in flight, as a burst of sign-ups or a bulk re-audit from the app backend would. Runs as its own
 * process so its event loop never delays the priority arrivals that the orchestrator times.
 * Prints one JSON line per progress step and a final summary line on stdout. SIGTERM stops admitting new starts
 * (run D ends its admitted flood when the priority measurement is over): the starts in flight finish, then the
 * summary line says how many were started.
 */
import { createInterface } from 'node:readline';
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import pg from 'pg';
import { SharedStartAdmission, StartAdmission, type Admission } from '@apexseo/eeat-worker/operations';
import { pageAuditCostSchema } from './synthetic-audit/cost.js';

const envSchema = z.object({
  BENCH_TEMPORAL_ADDRESS: z.string().min(1),
  BENCH_TASK_QUEUE: z.string().min(1),
  BENCH_FLOOD_COUNT: z.coerce.number().int().positive(),
  BENCH_FLOOD_CLIENTS: z.coerce.number().int().positive().default(4),
  BENCH_FLOOD_WINDOW: z.coerce.number().int().positive().default(32),
  /** Starts per second through StartAdmission (0: as fast as the server takes them, no admission). */
  BENCH_FLOOD_RATE: z.coerce.number().min(0).default(0),
  BENCH_COST_JSON: z.string().min(2),
  /** Workflow ids are `ltd-<prefix>-<n>`, unique across several flooding processes. */
  BENCH_FLOOD_PREFIX: z
    .string()
    .regex(/^[a-z0-9]{1,8}$/)
    .default('0'),
  /** Set: the rate is shared with every other flooding process through PostgreSQL (SharedStartAdmission). */
  BENCH_ADMISSION_PG_URL: z.string().optional(),
  /** 1: connect, print a `ready` line, and dump only on the orchestrator's `go` line on stdin. */
  BENCH_FLOOD_WAIT_FOR_GO: z.enum(['0', '1']).default('0'),
});

/** Connected and ready: say so, then wait for the orchestrator's `go` line (the flood's start instant). */
async function readyThenWaitForGo(): Promise<void> {
  process.stdout.write(`${JSON.stringify({ kind: 'ready' })}\n`);
  await new Promise<void>((resolve) => {
    const lines = createInterface({ input: process.stdin });
    lines.once('line', () => {
      lines.close();
      resolve();
    });
  });
}

async function main(): Promise<void> {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    throw new Error(
      `invalid flood environment: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  }
  const env = parsed.data;
  const cost = pageAuditCostSchema.parse(JSON.parse(env.BENCH_COST_JSON));
  const clients = await Promise.all(
    Array.from({ length: env.BENCH_FLOOD_CLIENTS }, async () => {
      const connection = await Connection.connect({ address: env.BENCH_TEMPORAL_ADDRESS });
      return { connection, client: new Client({ connection, namespace: 'default' }) };
    }),
  );
  let next = 0;
  let started = 0;
  let failed = 0;
  /** Run D: when each admitted start was sent (epoch ms), to line the flood up against the priority audits. */
  const sentAt: number[] = [];
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort());
  const report = (): void => {
    process.stdout.write(
      `${JSON.stringify({ kind: 'progress', started, failed, elapsedMs: Date.now() - t0 })}\n`,
    );
  };
  // Run D: the platform's own admission gate (what the app backend uses for lifetime-deal starts).
  const pool = env.BENCH_ADMISSION_PG_URL
    ? new pg.Pool({ connectionString: env.BENCH_ADMISSION_PG_URL, max: 2 })
    : undefined;
  const gate = {
    startsPerSecond: env.BENCH_FLOOD_RATE,
    maxWaiting: env.BENCH_FLOOD_CLIENTS * env.BENCH_FLOOD_WINDOW,
    signal: stop.signal,
  };
  const admission: Admission | undefined =
    env.BENCH_FLOOD_RATE > 0
      ? pool
        ? new SharedStartAdmission({ ...gate, pool })
        : new StartAdmission(gate)
      : undefined;
  if (env.BENCH_FLOOD_WAIT_FOR_GO === '1') await readyThenWaitForGo();
  const t0 = Date.now();
  let lastReport = t0;
  const lanes = clients.flatMap(({ client }) =>
    Array.from({ length: env.BENCH_FLOOD_WINDOW }, async () => {
      while (next < env.BENCH_FLOOD_COUNT && !stop.signal.aborted) {
        const auditId = `ltd-${env.BENCH_FLOOD_PREFIX}-${String(next++).padStart(6, '0')}`;
        const start = () => {
          if (admission) sentAt.push(Date.now());
          return client.workflow.start('benchAuditPage', {
            taskQueue: env.BENCH_TASK_QUEUE,
            workflowId: auditId,
            args: [{ auditId, cost }],
          });
        };
        try {
          await (admission ? admission.admit(start) : start());
          started += 1;
        } catch {
          // A start still waiting for admission when the run stops was never sent: not a failure.
          if (stop.signal.aborted) break;
          failed += 1;
        }
        if (Date.now() - lastReport >= 1000) {
          lastReport = Date.now();
          report();
        }
      }
    }),
  );
  await Promise.all(lanes);
  const elapsedMs = Date.now() - t0;
  process.stdout.write(
    `${JSON.stringify({ kind: 'done', started, failed, stopped: stop.signal.aborted, elapsedMs, startsPerSecond: started / (elapsedMs / 1000), sentAt, cpuMicros: process.cpuUsage() })}\n`,
  );
  await Promise.all(clients.map(({ connection }) => connection.close()));
  await pool?.end();
}

main().catch((error: unknown) => {
  process.stderr.write(`flood failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
