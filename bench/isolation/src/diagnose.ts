/**
 * Where a run's slow priority audits spent their time:
 *   node --import tsx bench/isolation/src/diagnose.ts results/<name>/run-D.json [more runs] [--top 10]
 * For each run: every priority audit's end-to-end split into its steps (read from its history, server
 * timestamps): the start (arrival to WorkflowExecutionStarted, i.e. the start RPC's way in), the first workflow
 * task's wait and run, the activity's wait and run, the second workflow task's wait and run; percentiles of each
 * step; the slowest audits with the CPU of every process of the run (and of the rest of the machine) in the
 * second they ran; and each process's mean CPU over the measurement.
 */
import { readFileSync } from 'node:fs';
import type { RunResult } from './run-one.js';
import { summarise } from '../../support/percentiles.js';
import { breakdowns, dispatchGrid, STEPS } from './audit-steps.js';

const f = (v: number): string => (Number.isFinite(v) ? String(Math.round(v)) : 'n/a');

function report(path: string, top: number): string[] {
  const run = JSON.parse(readFileSync(path, 'utf8')) as RunResult;
  const lines: string[] = [`## ${path} (run ${run.run}, t0 ${run.startedAt ?? 'not recorded'})`, ''];
  const list = breakdowns(run);
  if (!list.length)
    return [...lines, 'no per-event timeline in this run file (recorded from 2026-12-07 on)', ''];
  lines.push('| step (ms) | p50 | p95 | p99 | max |', '| --- | --- | --- | --- | --- |');
  const row = (name: string, values: number[]): void => {
    const s = summarise(values);
    lines.push(`| ${name} | ${f(s.p50)} | ${f(s.p95)} | ${f(s.p99)} | ${f(s.max)} |`);
  };
  row(
    'end-to-end',
    list.map((b) => b.endToEndMs),
  );
  row(
    'start RPC (client)',
    list.flatMap((b) => (b.startRpcMs === null ? [] : [b.startRpcMs])),
  );
  for (const step of STEPS)
    row(
      step,
      list.map((b) => b.steps[step]),
    );
  lines.push('');
  const cpu = run.cpu ?? [];
  const labels = [...new Set(cpu.flatMap((c) => Object.keys(c.byLabel)))].sort();
  const cpuAt = (t: number | null): string => {
    if (t === null || !cpu.length) return '';
    const sample = cpu.find((c) => c.t >= t + 100) ?? cpu.at(-1);
    if (!sample) return '';
    const busy = Object.entries(sample.byLabel)
      .filter(([, v]) => v >= 0.05)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(', ');
    return `machine ${sample.machine.toFixed(2)}, outside ${sample.outside.toFixed(2)}; ${busy}; loop p99 ${sample.loopDelayP99} ms`;
  };
  lines.push(
    `Slowest ${top}: arrival s, e2e, RPC, ${STEPS.join(' / ')}; CPU (cores) in the second after arrival`,
    '',
  );
  for (const b of [...list].sort((x, y) => y.endToEndMs - x.endToEndMs).slice(0, top)) {
    lines.push(
      `- ${b.workflowId} @${b.arrivalT === null ? '?' : (b.arrivalT / 1000).toFixed(1)} s: ${b.endToEndMs} ms, rpc ${b.startRpcMs ?? '?'}; ` +
        `${STEPS.map((s) => f(b.steps[s])).join(' / ')}; ${cpuAt(b.arrivalT)}`,
    );
  }
  if (cpu.length) {
    lines.push('', 'Mean CPU over the run (cores): ');
    const mean = (pick: (c: (typeof cpu)[number]) => number): string =>
      (cpu.reduce((a, c) => a + pick(c), 0) / cpu.length).toFixed(3);
    lines.push(
      `machine ${mean((c) => c.machine)}, outside the run ${mean((c) => c.outside)}; ` +
        labels.map((l) => `${l} ${mean((c) => c.byLabel[l] ?? 0)}`).join(', '),
    );
    const maxOutside = Math.max(...cpu.map((c) => c.outside));
    lines.push(
      `outside the run: max ${maxOutside.toFixed(2)} cores; seconds above 0.25 core: ${cpu.filter((c) => c.outside > 0.25).length} of ${cpu.length}`,
    );
    const loop = summarise(cpu.map((c) => c.loopDelayMax));
    lines.push(
      `orchestrator event-loop delay, max per second: p50 ${loop.p50} ms, p99 ${loop.p99} ms, max ${loop.max} ms`,
    );
  }
  // Task dispatches batched on a 50 ms grid = the dev server's transfer-task reader held at 20 loads/s.
  const end = Math.max(0, ...(run.priorityStarts ?? []).map((p) => p.arrivalT)) + 1000;
  const windows: Array<[number, number]> = [];
  for (let from = 0; from < end; from += 10_000) windows.push([from, Math.min(end, from + 10_000)]);
  lines.push(
    '',
    'Task dispatches (priority and admitted lifetime-deal) in the busiest 10 ms of each 50 ms, per 10 s window ' +
      '(about 20 % when spread, near 100 % when the transfer-task reader releases them in batches at 20/s):',
    windows
      .map(([a, b]) => ({ a, b, g: dispatchGrid(run, a, b) }))
      .filter(({ g }) => g.dispatches > 0)
      .map(
        ({ a, b, g }) =>
          `${a / 1000}-${Math.round(b / 1000)} s: ${Math.round(g.busiestShare * 100)} % of ${g.dispatches}`,
      )
      .join('; '),
  );
  if (run.flood?.starterCpuMs)
    lines.push(`starting processes' own CPU time over their life (ms): ${run.flood.starterCpuMs.join(', ')}`);
  lines.push('');
  return lines;
}

const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 10;
const paths = args.filter((_, i) => topIndex < 0 || (i !== topIndex && i !== topIndex + 1));
process.stdout.write(`${paths.flatMap((p) => report(p, top)).join('\n')}\n`);
