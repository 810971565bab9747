/**
 * One starting process of the fleet-wide admission test: at `APEXSEO_TEST_START_AT` (epoch ms, shared by every
 * process) it asks a `SharedStartAdmission` to admit `APEXSEO_TEST_STARTS` lifetime-deal starts at once; each start
 * only records when it was sent. Prints `{"sentAt":[...]}` and exits once every start was sent.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { SharedStartAdmission } from '../../src/routing/shared-start-admission.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const pool = new pg.Pool({ connectionString: env('APEXSEO_TEST_PG_URL'), max: 2 });
const admission = new SharedStartAdmission({
  pool,
  budget: env('APEXSEO_TEST_BUDGET'),
  startsPerSecond: Number(env('APEXSEO_TEST_RATE')),
  maxWaiting: 100_000,
});
await sleep(Math.max(0, Number(env('APEXSEO_TEST_START_AT')) - Date.now()));
const sentAt = await Promise.all(
  Array.from({ length: Number(env('APEXSEO_TEST_STARTS')) }, () =>
    admission.admit(() => Promise.resolve(Date.now())),
  ),
);
process.stdout.write(`${JSON.stringify({ sentAt })}\n`);
await pool.end();
