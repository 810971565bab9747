/**
 * The cost of one synthetic page audit. The defaults are a stated calibration (see bench/isolation/README.md):
 * a local fetch, heuristic extraction + scoring of a typical page, and two result writes.
 */
import { z } from 'zod';

export const pageAuditCostSchema = z.object({
  fetchMs: z.number().int().min(0).max(60_000),
  cpuMs: z.number().min(0).max(60_000),
  storeMs: z.number().int().min(0).max(60_000),
});

export type PageAuditCost = z.infer<typeof pageAuditCostSchema>;
