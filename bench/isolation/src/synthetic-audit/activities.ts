/**
 * A calibrated stand-in for one heuristic page audit, with the same shape as the real one:
 * wait for the page fetch (I/O), run extraction and heuristic scoring (CPU on the worker's event loop),
 * then wait for the result writes to ClickHouse and Neo4j (I/O).
 *
 * The CPU phase burns a fixed amount of *thread CPU time* (process.threadCpuUsage), not wall time, so on a
 * contended machine it takes longer in wall time exactly like real extraction would; a wall-clock spin would
 * silently do less work under load and flatter the results.
 */
import { createHash } from 'node:crypto';
import type { PageAuditCost } from './cost.js';

export interface PageAuditOutcome {
  readonly auditId: string;
  readonly digest: string;
  readonly cpuMicros: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function threadCpuMicros(): number {
  const usage = process.threadCpuUsage();
  return usage.user + usage.system;
}

/** Hashes a page-sized buffer repeatedly until `cpuMs` of this thread's CPU time has been spent. */
function burnCpu(cpuMs: number, seed: string): { digest: string; cpuMicros: number } {
  const start = threadCpuMicros();
  const budget = cpuMs * 1000;
  let block = Buffer.alloc(16 * 1024, seed);
  let digest = '';
  while (threadCpuMicros() - start < budget) {
    digest = createHash('sha256').update(block).digest('hex');
    block = Buffer.from(block.subarray(1).toString('latin1') + digest.charAt(0), 'latin1');
  }
  return { digest, cpuMicros: threadCpuMicros() - start };
}

export function createSyntheticActivities(): {
  auditPage(input: { auditId: string; cost: PageAuditCost }): Promise<PageAuditOutcome>;
} {
  return {
    async auditPage({ auditId, cost }) {
      await sleep(cost.fetchMs);
      const { digest, cpuMicros } = burnCpu(cost.cpuMs, auditId);
      await sleep(cost.storeMs);
      return { auditId, digest, cpuMicros };
    },
  };
}
