import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { chartDir } from './tools.js';

export interface ChartCopy {
  /** Path of the copied chart directory (named apexseo). */
  dir: string;
  remove(): Promise<void>;
}

/**
 * Copies the chart to a temporary folder and drops its `dependencies`: the dependency archives cannot be
 * downloaded here (no chart repository is reachable), and `helm template` refuses to render a chart whose declared
 * dependencies are missing from charts/, whatever their conditions. The chart's own templates render unchanged.
 */
export async function copyChartWithoutDependencies(): Promise<ChartCopy> {
  const root = await mkdtemp(path.join(tmpdir(), 'apexseo-chart-'));
  const dir = await copyChartSources(root);
  const chartYaml = path.join(dir, 'Chart.yaml');
  const doc = parseDocument(await readFile(chartYaml, 'utf8'));
  doc.delete('dependencies');
  await writeFile(chartYaml, doc.toString());
  return { dir, remove: () => rm(root, { recursive: true, force: true }) };
}

/**
 * Copies the chart's own files into `<root>/apexseo` and returns that path: neither the dependency archives in
 * charts/ nor Chart.lock, which pins the dependencies each caller then drops or replaces.
 */
export async function copyChartSources(root: string): Promise<string> {
  const dir = path.join(root, 'apexseo');
  await cp(chartDir, dir, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(chartDir, src);
      return rel !== 'charts' && !rel.startsWith(`charts${path.sep}`) && rel !== 'Chart.lock';
    },
  });
  return dir;
}
