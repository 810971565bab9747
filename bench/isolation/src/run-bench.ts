/**
 * Entry point: `node --import tsx bench/isolation/src/run-bench.ts --mode quick|full [--runs A,B,C] [overrides]`
 * (or scripts/bench.sh isolation). Runs A, B and C one after another on fresh dev servers, then writes
 * results/<mode>/{run-X.json, summary.json, summary.md, isolation.png}.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { parseBenchArgs } from './bench-config.js';
import { figuresOf, phasesOf, ratio, scalingPanels, type PhaseFigures, type RunFigures } from './report.js';
import { runOne, type RunName, type RunResult } from './run-one.js';
import { loadScalingSettings } from './scaled-objects.js';
import { renderChartSvg, svgToPng } from './svg-chart.js';
import type { Summary } from '../../support/percentiles.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, '../../..');

const log = (msg: string): void => {
  process.stderr.write(`[bench:isolation ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

const ms = (v: number): string =>
  Number.isFinite(v) ? (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`) : 'n/a';
const x = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}x` : 'n/a');
const row = (run: string, name: string, s: Summary): string =>
  `| ${run} | ${name} | ${s.n} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} |`;

async function main(): Promise<void> {
  const config = parseBenchArgs(process.argv.slice(2));
  const outDir = join(repoRoot, 'bench/isolation/results', config.resultsName);
  mkdirSync(outDir, { recursive: true });
  const bundleDir = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
  const bundlePath = join(bundleDir, 'workflows.js');
  try {
    const { code } = await bundleWorkflowCode({ workflowsPath: join(here, 'synthetic-audit/workflows.ts') });
    writeFileSync(bundlePath, code);
    const scaling = loadScalingSettings(repoRoot);
    log(`mode ${config.mode}, runs ${config.runs.join(',')}, scaling from ${scaling.source}`);
    const results: Partial<Record<RunName, RunResult>> = {};
    for (const run of config.runs) {
      const saved = join(outDir, `run-${run}.json`);
      if (process.argv.includes('--resume') && existsSync(saved)) {
        // Re-use a run already measured in this mode (e.g. after a later run was interrupted).
        results[run] = JSON.parse(readFileSync(saved, 'utf8')) as RunResult;
        log(`run ${run}: re-using ${saved}`);
        continue;
      }
      log(`run ${run} starting (load ${loadavg()[0]?.toFixed(2)})`);
      const result = await runOne(run, config, bundlePath, log);
      results[run] = result;
      writeFileSync(join(outDir, `run-${run}.json`), JSON.stringify(result));
      log(`run ${run} finished in ${result.wallSeconds.toFixed(0)} s`);
    }
    const figures = Object.fromEntries(Object.entries(results).map(([k, r]) => [k, figuresOf(r)])) as Partial<
      Record<RunName, RunFigures>
    >;
    const lines: string[] = [];
    lines.push(
      `Mode \`${config.mode}\`: ${config.rate} priority audits/s for ${config.arrivalSeconds} s; flood ${config.flood} audits ` +
        `(${config.floodClients} clients x ${config.floodWindow} in flight); page cost fetch ${config.cost.fetchMs} ms + CPU ${config.cost.cpuMs} ms + store ${config.cost.storeMs} ms; ` +
        `1 worker process per pool (${config.maxActivities} activity / ${config.maxWorkflowTasks} workflow-task slots); ${cpus().length} cores shared with the whole team` +
        `${config.pinPools ? ' (pools pinned: priority worker on CPU 0, standard worker and starters on CPU 1)' : ''}; ` +
        `dev server history.transferProcessorMaxPollRPS ${config.transferPollRps > 0 ? config.transferPollRps : 'at its default (20)'}; ` +
        `run D: ${config.floodProcesses} starting process(es), ${config.floodPrestart ? 'started before the measurement' : 'started at the flood, inside the measurement'}.`,
    );
    lines.push('');
    lines.push('| Run | Latency | n | p50 | p95 | p99 | max |');
    lines.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const [run, f] of Object.entries(figures)) {
      lines.push(row(run, 'schedule-to-start, all tasks', f.scheduleToStart));
      lines.push(row(run, 'schedule-to-start, workflow tasks', f.workflowTaskScheduleToStart));
      lines.push(row(run, 'schedule-to-start, activity tasks', f.activityScheduleToStart));
      lines.push(row(run, 'end-to-end (arrival to completed)', f.endToEnd));
    }
    const a = figures.A;
    const ratios: Record<string, unknown> = {};
    for (const other of ['B', 'C', 'D'] as const) {
      const f = figures[other];
      if (!a || !f) continue;
      const s2s = ratio(f.scheduleToStart, a.scheduleToStart);
      const e2e = ratio(f.endToEnd, a.endToEnd);
      ratios[other] = { scheduleToStart: s2s, endToEnd: e2e };
      lines.push('');
      lines.push(
        `${other}/A: schedule-to-start p50 ${x(s2s.p50)}, p95 ${x(s2s.p95)}, p99 ${x(s2s.p99)}; ` +
          `end-to-end p50 ${x(e2e.p50)}, p95 ${x(e2e.p95)}, p99 ${x(e2e.p99)} (goal p99 <= 1.2x).`,
      );
    }
    const phases: Record<string, PhaseFigures[]> = {};
    for (const [run, r] of Object.entries(results)) {
      const list = phasesOf(r, config.rate);
      if (!list.length) continue;
      phases[run] = list;
      lines.push('');
      lines.push(`Run ${run} by arrival phase (end-to-end / schedule-to-start):`);
      lines.push('');
      lines.push('| Phase | arrivals from (s) | audits | e2e p50 | e2e p99 | s2s p50 | s2s p99 |');
      lines.push('| --- | --- | --- | --- | --- | --- | --- |');
      for (const p of list) {
        lines.push(
          `| ${p.phase} | ${Number.isFinite(p.fromS) ? p.fromS.toFixed(0) : 'n/a'} | ${p.endToEnd.n} | ${ms(p.endToEnd.p50)} | ${ms(p.endToEnd.p99)} | ${ms(p.scheduleToStart.p50)} | ${ms(p.scheduleToStart.p99)} |`,
        );
      }
    }
    lines.push('');
    for (const [run, r] of Object.entries(results)) {
      const f = figures[run as RunName];
      const flood = r.flood
        ? `flood started ${r.flood.started}/${r.flood.requested} in ${r.flood.startSeconds.toFixed(1)} s (${r.flood.startsPerSecond.toFixed(0)} starts/s, ${r.flood.failed} failed), ` +
          `${r.flood.stoppedAtEnd ? `admitted at ${config.floodAdmitRate}/s until the priority measurement ended, ` : ''}` +
          `${r.flood.completedWithinWait} completed, ${r.flood.drainedAtT ? `drained ${((r.flood.drainedAtT - r.flood.floodStartT) / 1000).toFixed(0)} s after the dump` : 'not drained within the wait'}`
        : 'no flood';
      lines.push(
        `- Run ${run}: ${flood}; peak standard backlog ${f?.maxStandardBacklog ?? 0}; priority audits not completed ${f?.incomplete ?? 0}/${f?.measured ?? 0}; ` +
          `start RPC p99 ${ms(f?.startRpc.p99 ?? Number.NaN)}; mean 1-min load ${f?.meanLoad1.toFixed(2)}; backlog poll errors ${r.backlogPollErrors}.`,
      );
    }
    lines.push(
      `- Scaling settings: ${scaling.source}: ` +
        scaling.pools
          .map(
            (p) =>
              `${p.pool} target ${p.targetQueueSize}, activation ${p.activationTargetQueueSize}, replicas ${p.minReplicaCount}..${p.maxReplicaCount}, ` +
              `polling ${p.pollingIntervalSeconds} s, cooldown ${p.cooldownPeriodSeconds} s, scale-down window ${p.scaleDownStabilizationSeconds} s, queueTypes ${p.queueTypes.join('+')}`,
          )
          .join('; ') +
        '.',
    );
    let peakReplicas: Record<string, number> = {};
    if (results.B) {
      const { panels, models } = scalingPanels(
        { a: results.A, b: results.B, c: results.C, d: results.D },
        scaling,
        config.rate,
        config.floodAdmitRate,
      );
      peakReplicas = Object.fromEntries(
        Object.entries(models).map(([k, m]) => [k, Math.max(...m.map((p) => p.requested))]),
      );
      lines.push(
        `- Peak requested replicas: ${Object.entries(peakReplicas)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}.`,
      );
      const svg = renderChartSvg(
        panels,
        `Isolation benchmark (${config.resultsName}), ${cpus().length}-core machine; when each run was measured: bench/isolation/README.md. Backlog = DescribeTaskQueue approximateBacklogCount summed over the trigger's queueTypes.`,
      );
      writeFileSync(join(outDir, 'isolation.png'), svgToPng(svg));
      writeFileSync(join(outDir, 'replicas.json'), JSON.stringify(models));
    }
    const summary = lines.join('\n');
    writeFileSync(join(outDir, 'summary.md'), `${summary}\n`);
    writeFileSync(
      join(outDir, 'summary.json'),
      JSON.stringify({ config, scaling, figures, ratios, phases, peakReplicas }, null, 2),
    );
    process.stdout.write(`${summary}\n`);
  } finally {
    rmSync(bundleDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
