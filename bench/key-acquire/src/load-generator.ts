/**
 * The load process: fires POSTs at a service from outside its process, either open-loop at a fixed
 * rate (latency counted from each request's scheduled send time, so a slow server cannot hide its
 * queueing: no coordinated omission) or closed-loop with N requests in flight (throughput).
 * Usage: node --import tsx load-generator.ts '<json job>'  → prints a JSON summary.
 */
import { Pool } from 'undici';
import { z } from 'zod';

const job = z
  .object({
    origin: z.string(),
    path: z.string(),
    token: z.string(),
    tenants: z.array(z.string()).min(1),
    provider: z.string(),
    seconds: z.number().positive(),
    mode: z.enum(['rate', 'closed']),
    rate: z.number().positive().optional(),
    inFlight: z.number().int().positive().optional(),
    connections: z.number().int().positive(),
  })
  .parse(JSON.parse(process.argv[2] ?? '{}'));

const pool = new Pool(job.origin, { connections: job.connections, pipelining: 1 });
const latenciesMs: number[] = [];
const statuses = new Map<number, number>();
let errors = 0;
let seed = 1;
const pick = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return job.tenants[seed % job.tenants.length] ?? '';
};

async function one(scheduledAt: number): Promise<void> {
  try {
    const { statusCode, body } = await pool.request({
      method: 'POST',
      path: job.path,
      headers: { authorization: `Bearer ${job.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: pick(), provider: job.provider }),
    });
    await body.text();
    statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
    if (statusCode !== 200) errors += 1;
  } catch {
    errors += 1;
  }
  latenciesMs.push(performance.now() - scheduledAt);
}

const startedAt = performance.now();
const endAt = startedAt + job.seconds * 1000;
const pending = new Set<Promise<void>>();

if (job.mode === 'rate') {
  const interval = 1000 / (job.rate ?? 100);
  let next = startedAt;
  while (next < endAt) {
    const now = performance.now();
    while (next <= now && next < endAt) {
      const p = one(next);
      pending.add(p);
      void p.finally(() => pending.delete(p));
      next += interval;
    }
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(1, next - performance.now()))));
  }
} else {
  const worker = async () => {
    while (performance.now() < endAt) await one(performance.now());
  };
  await Promise.all(Array.from({ length: job.inFlight ?? 16 }, worker));
}
await Promise.all(pending);
const elapsedS = (performance.now() - startedAt) / 1000;
await pool.close();

latenciesMs.sort((a, b) => a - b);
const q = (p: number) =>
  latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(p * latenciesMs.length))] ?? 0;
process.stdout.write(
  JSON.stringify({
    requests: latenciesMs.length,
    errors,
    statuses: Object.fromEntries(statuses),
    rps: latenciesMs.length / elapsedS,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    max: latenciesMs.at(-1) ?? 0,
  }),
);
