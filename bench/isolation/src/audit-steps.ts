/**
 * The steps of one benchmark audit (start, workflow task, activity, workflow task, completion), read from its
 * history timeline, and how task dispatches line up in time across every audit of a run. Used by diagnose.ts.
 */
import type { RunResult } from './run-one.js';

export const STEPS = [
  'start',
  'wft1 wait',
  'wft1 run',
  'act wait',
  'act run',
  'wft2 wait',
  'wft2 run',
  'close',
] as const;
export type Step = (typeof STEPS)[number];

export interface Breakdown {
  readonly workflowId: string;
  readonly arrivalT: number | null;
  readonly startRpcMs: number | null;
  readonly endToEndMs: number;
  readonly steps: Record<Step, number>;
}

/** The steps of the one-activity audit, from its [event, ms after arrival] timeline. */
export function breakdownOf(events: ReadonlyArray<[string, number]>): Record<Step, number> | null {
  const at = (name: string, nth = 0): number | undefined => events.filter(([e]) => e === name)[nth]?.[1];
  const started = at('WorkflowExecutionStarted');
  const wft1s = at('WorkflowTaskScheduled');
  const wft1a = at('WorkflowTaskStarted');
  const wft1c = at('WorkflowTaskCompleted');
  const acts = at('ActivityTaskScheduled');
  const acta = at('ActivityTaskStarted');
  const actc = at('ActivityTaskCompleted');
  const wft2s = at('WorkflowTaskScheduled', 1);
  const wft2a = at('WorkflowTaskStarted', 1);
  const wft2c = at('WorkflowTaskCompleted', 1);
  const done = at('WorkflowExecutionCompleted');
  const all = [started, wft1s, wft1a, wft1c, acts, acta, actc, wft2s, wft2a, wft2c, done];
  if (all.some((v) => v === undefined)) return null;
  const [s, a1, b1, c1, as, aa, ac, a2, b2, c2, d] = all as number[];
  return {
    start: s as number,
    'wft1 wait': (b1 as number) - Math.max(s as number, a1 as number),
    'wft1 run': (c1 as number) - (b1 as number),
    'act wait': (aa as number) - Math.max(c1 as number, as as number),
    'act run': (ac as number) - (aa as number),
    'wft2 wait': (b2 as number) - Math.max(ac as number, a2 as number),
    'wft2 run': (c2 as number) - (b2 as number),
    close: (d as number) - (c2 as number),
  };
}

export function breakdowns(run: RunResult): Breakdown[] {
  const starts = new Map((run.priorityStarts ?? []).map((s) => [s.workflowId, s]));
  const out: Breakdown[] = [];
  for (const l of run.latencies) {
    if (l.endToEndMs === null || !l.events) continue;
    const steps = breakdownOf(l.events);
    if (!steps) continue;
    const s = starts.get(l.workflowId);
    out.push({
      workflowId: l.workflowId,
      arrivalT: s?.arrivalT ?? null,
      startRpcMs: s?.startRpcMs ?? null,
      endToEndMs: l.endToEndMs,
      steps,
    });
  }
  return out;
}

/**
 * When the dev server's transfer-task reader is held to N loads per second, tasks are handed to pollers in batches
 * on a 1000/N ms grid. For every task dispatch (`WorkflowTaskStarted`, `ActivityTaskStarted`) of the priority and
 * (run D) the lifetime-deal audits between `fromMs` and `toMs`, this returns the share that fell into the busiest
 * `binMs` window of a `periodMs` cycle: about binMs/periodMs when dispatches are spread, near 1 when batched.
 */
export function dispatchGrid(
  run: RunResult,
  fromMs: number,
  toMs: number,
  periodMs = 50,
  binMs = 10,
): { dispatches: number; busiestShare: number; busiestPhaseMs: number } {
  const arrivals = new Map((run.priorityStarts ?? []).map((s) => [s.workflowId, s.arrivalT]));
  const times: number[] = [];
  for (const l of run.latencies) {
    const at = arrivals.get(l.workflowId);
    if (at === undefined) continue;
    for (const [name, t] of l.events ?? []) if (isDispatch(name)) times.push(at + t);
  }
  for (const f of run.floodTimelines ?? [])
    for (const [name, t] of f.events) if (isDispatch(name)) times.push(t);
  const inRange = times.filter((t) => t >= fromMs && t < toMs);
  let best = { dispatches: inRange.length, busiestShare: 0, busiestPhaseMs: 0 };
  for (let phase = 0; phase < periodMs; phase++) {
    const hits = inRange.filter((t) => (((t - phase) % periodMs) + periodMs) % periodMs < binMs).length;
    const share = inRange.length ? hits / inRange.length : 0;
    if (share > best.busiestShare)
      best = { dispatches: inRange.length, busiestShare: share, busiestPhaseMs: phase };
  }
  return best;
}

const isDispatch = (name: string): boolean =>
  name === 'WorkflowTaskStarted' || name === 'ActivityTaskStarted';
