/** Turns run results into the figures of the README: latency summaries, B/A ratios, and the PNG panels. */
import type { RunResult } from './run-one.js';
import { summarise, type Summary } from '../../support/percentiles.js';
import { modelReplicas, type ReplicaPoint } from './replica-model.js';
import type { PoolScaling, ScalingSettings } from './scaled-objects.js';
import type { Panel, Series } from './svg-chart.js';

export interface RunFigures {
  readonly run: string;
  readonly measured: number;
  readonly incomplete: number;
  readonly scheduleToStart: Summary;
  readonly workflowTaskScheduleToStart: Summary;
  readonly activityScheduleToStart: Summary;
  readonly endToEnd: Summary;
  readonly startRpc: Summary;
  readonly maxStandardBacklog: number;
  readonly meanLoad1: number;
}

export function figuresOf(result: RunResult): RunFigures {
  const wft = result.latencies.flatMap((l) => l.workflowTaskStartMs);
  const act = result.latencies.flatMap((l) => l.activityStartMs);
  const e2e = result.latencies.filter((l) => l.endToEndMs !== null).map((l) => l.endToEndMs ?? 0);
  const standard = result.backlog.filter((s) => s.queue === result.queues.standard);
  const loads = result.loadAverage.map((l) => l.load1);
  return {
    run: result.run,
    measured: result.latencies.length,
    incomplete: result.latencies.filter((l) => !l.completed).length,
    scheduleToStart: summarise([...wft, ...act]),
    workflowTaskScheduleToStart: summarise(wft),
    activityScheduleToStart: summarise(act),
    endToEnd: summarise(e2e),
    startRpc: summarise(result.startRpcMs),
    maxStandardBacklog: Math.max(0, ...standard.map((s) => s.workflow + s.activity)),
    meanLoad1: loads.length ? loads.reduce((a, b) => a + b, 0) / loads.length : Number.NaN,
  };
}

export interface PhaseFigures {
  readonly phase: string;
  readonly fromS: number;
  readonly toS: number | null;
  readonly endToEnd: Summary;
  readonly scheduleToStart: Summary;
}

/**
 * Splits a flood run's priority audits by when they arrived: before the dump, while the flood's start RPCs were
 * still landing (the server's write path is shared by every queue), after the last start while the standard
 * backlog was still draining, and after the drain. This separates what the queue split controls (the backlog)
 * from what it cannot (one Temporal server's capacity during a start burst).
 */
export function phasesOf(result: RunResult, rate: number): PhaseFigures[] {
  if (!result.flood) return [];
  const dump = result.flood.floodStartT / 1000;
  const allStarted = (result.flood.progress.at(-1)?.t ?? result.flood.floodStartT) / 1000;
  const drained = result.flood.drainedAtT === null ? null : result.flood.drainedAtT / 1000;
  const phases: Array<[string, number, number | null]> = [
    ['before the dump', 0, dump],
    ['flood starts landing', dump, allStarted],
    ['after the last start, backlog draining', allStarted, drained],
    ['after the drain', drained ?? Number.POSITIVE_INFINITY, null],
  ];
  return phases.map(([phase, from, to]) => {
    const members = result.latencies.filter((l) => {
      const arrival = Number(l.workflowId.slice(4)) / rate;
      return arrival >= from && (to === null || arrival < to);
    });
    return {
      phase,
      fromS: from,
      toS: to,
      endToEnd: summarise(members.filter((l) => l.endToEndMs !== null).map((l) => l.endToEndMs ?? 0)),
      scheduleToStart: summarise(members.flatMap((l) => [...l.workflowTaskStartMs, ...l.activityStartMs])),
    };
  });
}

export function ratio(b: Summary, a: Summary): { p50: number; p95: number; p99: number } {
  return { p50: b.p50 / a.p50, p95: b.p95 / a.p95, p99: b.p99 / a.p99 };
}

/** The backlog the pool's scaler sums: only the queue types its trigger lists (nexus is unused here). */
export function backlogSeries(
  result: RunResult,
  queue: string,
  scaling: PoolScaling,
): Array<{ t: number; backlog: number }> {
  const wantWorkflow = scaling.queueTypes.includes('workflow');
  const wantActivity = scaling.queueTypes.includes('activity');
  return result.backlog
    .filter((s) => s.queue === queue)
    .map((s) => ({ t: s.t, backlog: (wantWorkflow ? s.workflow : 0) + (wantActivity ? s.activity : 0) }));
}

const toPoints = (
  series: readonly ReplicaPoint[],
  key: 'backlog' | 'requested' | 'replicas',
): Array<[number, number]> =>
  series.filter((_, i) => i % 2 === 0 || i === series.length - 1).map((p) => [p.t / 1000, p[key]]);

/** Backlog, the replicas KEDA requests and (optionally) what the HPA would run, for one pool's panel. */
function scalingSeries(model: readonly ReplicaPoint[], { withHpa }: { withHpa: boolean }): Series[] {
  return [
    { label: 'backlog', color: '#1f77b4', axis: 'left', points: toPoints(model, 'backlog') },
    {
      label: 'requested replicas',
      color: '#ff7f0e',
      axis: 'right',
      step: true,
      points: toPoints(model, 'requested'),
    },
    ...(withHpa
      ? [
          {
            label: 'replicas after HPA',
            color: '#2ca02c',
            axis: 'right' as const,
            step: true,
            dashed: true,
            points: toPoints(model, 'replicas'),
          },
        ]
      : []),
  ];
}

export interface PanelRuns {
  readonly a?: RunResult | undefined;
  readonly b: RunResult;
  readonly c?: RunResult | undefined;
  readonly d?: RunResult | undefined;
}

export function scalingPanels(
  { a, b, c, d }: PanelRuns,
  settings: ScalingSettings,
  rate: number,
  admitRate: number,
): {
  panels: Panel[];
  models: Record<string, ReplicaPoint[]>;
} {
  const models: Record<string, ReplicaPoint[]> = {};
  const panels: Panel[] = [];
  const markers = b.flood
    ? [
        { x: b.flood.floodStartT / 1000, label: 'flood dumped' },
        { x: (b.flood.progress.at(-1)?.t ?? 0) / 1000, label: 'all started' },
        ...(b.flood.drainedAtT ? [{ x: b.flood.drainedAtT / 1000, label: 'drained' }] : []),
      ]
    : [];
  const endMs = Math.max(...b.backlog.map((s) => s.t));
  for (const scaling of [...settings.pools].reverse()) {
    const queue = scaling.pool === 'priority' ? b.queues.priority : b.queues.standard;
    const model = modelReplicas(backlogSeries(b, queue, scaling), scaling, endMs);
    models[`B-${scaling.pool}`] = model;
    panels.push({
      title: `Run B, ${scaling.pool} pool (${queue}): target ${scaling.targetQueueSize}, replicas ${scaling.minReplicaCount}..${scaling.maxReplicaCount}`,
      leftLabel: 'backlog (tasks)',
      rightLabel: 'replicas',
      markers,
      series: scalingSeries(model, { withHpa: true }),
    });
  }
  const standard = settings.pools.find((p) => p.pool === 'standard');
  if (c && standard) {
    const endC = Math.max(...c.backlog.map((s) => s.t));
    const model = modelReplicas(backlogSeries(c, c.queues.standard, standard), standard, endC);
    models['C-shared'] = model;
    panels.push({
      title: 'Run C, one shared queue (eeat-shared): no isolation, same flood',
      leftLabel: 'backlog (tasks)',
      rightLabel: 'replicas (standard settings)',
      markers: c.flood ? [{ x: c.flood.floodStartT / 1000, label: 'flood dumped' }] : [],
      series: scalingSeries(model, { withHpa: false }),
    });
  }
  const latencyPoints = (r: RunResult | undefined, unit = 1000): Array<[number, number]> =>
    (r?.latencies ?? [])
      .filter((l) => l.endToEndMs !== null)
      .map((l): [number, number] => [Number(l.workflowId.slice(4)) / rate, (l.endToEndMs ?? 0) / unit])
      .sort((x, y) => x[0] - y[0]);
  panels.push({
    title: 'Priority audits: end-to-end latency by arrival time (A alone, B isolated flood, C shared queue)',
    leftLabel: 'A and B latency (s)',
    rightLabel: 'C latency (s)',
    markers,
    series: [
      { label: 'A: alone', color: '#2ca02c', axis: 'left', points: latencyPoints(a) },
      { label: 'B: flood, isolated', color: '#1f77b4', axis: 'left', points: latencyPoints(b) },
      ...(c
        ? [{ label: 'C: flood, shared', color: '#d62728', axis: 'right' as const, points: latencyPoints(c) }]
        : []),
    ],
  });
  if (d) {
    panels.push({
      title: `Priority audits in milliseconds: A alone vs D, the flood admitted at ${admitRate} starts/s`,
      leftLabel: 'end-to-end latency (ms)',
      rightLabel: '',
      markers: d.flood ? [{ x: d.flood.floodStartT / 1000, label: 'admission starts' }] : [],
      series: [
        { label: 'A: alone', color: '#2ca02c', axis: 'left', points: latencyPoints(a, 1) },
        { label: 'D: flood through admission', color: '#9467bd', axis: 'left', points: latencyPoints(d, 1) },
      ],
    });
  }
  return { panels, models };
}
