/**
 * The replica curve measured on the real cluster, beside the model: reads the figures the cluster test wrote
 * (test/cluster/platform.test.ts -> .run/cluster-scaling.json) and writes results/cluster/ (the figures and
 * cluster-replicas.png). Run after the cluster test: node --import tsx bench/isolation/src/cluster-chart.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderChartSvg, svgToPng, type Series } from './svg-chart.js';

interface ClusterFigures {
  measuredAt: string;
  backlog: { standard: number; priority: number };
  series: { t: number; standard: number; priority: number; backlog: number }[];
  modelSeries?: { t: number; requested: number; replicas: number }[];
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const figuresFile = join(repoRoot, '.run', 'cluster-scaling.json');
const outDir = join(repoRoot, 'bench', 'isolation', 'results', 'cluster');

const text = readFileSync(figuresFile, 'utf8');
const figures = JSON.parse(text) as ClusterFigures;
if (figures.modelSeries === undefined) {
  throw new Error(
    `${figuresFile} has no modelSeries: run the cluster test again (npx vitest run test/cluster)`,
  );
}

const series: Series[] = [
  {
    label: 'eeat-standard backlog',
    color: '#1f77b4',
    axis: 'left',
    points: figures.series.map((p) => [p.t, p.backlog]),
  },
  {
    label: 'standard replicas (cluster)',
    color: '#d62728',
    axis: 'right',
    step: true,
    points: figures.series.map((p) => [p.t, p.standard]),
  },
  {
    label: 'standard replicas (model)',
    color: '#2ca02c',
    axis: 'right',
    step: true,
    dashed: true,
    points: figures.modelSeries.map((p) => [p.t, p.replicas]),
  },
  {
    label: 'priority replicas (cluster)',
    color: '#9467bd',
    axis: 'right',
    step: true,
    points: figures.series.map((p) => [p.t, p.priority]),
  },
];
const svg = renderChartSvg(
  [
    {
      title: `Real cluster (Kubernetes v1.35.5, KEDA 2.20.2): ${figures.backlog.standard} workflows on eeat-standard, ${figures.backlog.priority} on eeat-priority`,
      leftLabel: 'backlog (workflow tasks)',
      rightLabel: 'replicas',
      series,
    },
  ],
  `test/cluster/platform.test.ts, ${figures.measuredAt}; seconds from the first workflow start; the test drains the queues once the standard pool reaches its count`,
);
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'cluster-scaling.json'), text);
writeFileSync(join(outDir, 'cluster-replicas.png'), svgToPng(svg));
process.stdout.write(`wrote ${join(outDir, 'cluster-replicas.png')}\n`);
