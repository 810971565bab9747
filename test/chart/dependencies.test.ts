import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  assembleChartWithDependencies,
  MissingDependencyPackageError,
  upstreamChartsDir,
  type AssembledChart,
} from './support/chart-with-dependencies.js';
import { chartDir, run } from './support/tools.js';

interface ChartYaml {
  dependencies: { name: string; version: string; repository: string }[];
}

let chart: AssembledChart;

beforeAll(async () => {
  chart = await assembleChartWithDependencies();
}, 120_000);
afterAll(async () => {
  await chart.remove();
});

describe('the chart assembled with its dependency packages', () => {
  it('should hold one package per dependency of Chart.yaml', async () => {
    const pinned = parse(await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8')) as ChartYaml;
    expect(pinned.dependencies.map((d) => d.name).sort()).toEqual(
      ['altinity-clickhouse-operator', 'keda', 'kube-prometheus-stack', 'neo4j', 'temporal'].sort(),
    );
    expect((await readdir(path.join(chart.dir, 'charts'))).sort()).toEqual([...chart.packages].sort());
    expect(chart.packages).toHaveLength(pinned.dependencies.length);
  });

  it('should rewrite only the neo4j version, 5.26.21 to the packaged 5.17.0, and say so', async () => {
    const pinned = parse(await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8')) as ChartYaml;
    const copied = parse(await readFile(path.join(chart.dir, 'Chart.yaml'), 'utf8')) as ChartYaml;
    const changed = copied.dependencies.filter(
      (dep, i) => JSON.stringify(dep) !== JSON.stringify(pinned.dependencies[i]),
    );
    expect(changed).toEqual([
      expect.objectContaining({
        name: 'neo4j',
        version: '5.17.0',
        repository: 'https://helm.neo4j.com/neo4j',
      }),
    ]);
    expect(pinned.dependencies.find((d) => d.name === 'neo4j')?.version).toBe('5.26.21');
    expect(chart.substitutions).toEqual([
      expect.stringMatching(/^neo4j: Chart\.yaml pins 5\.26\.21 .* 5\.17\.0$/),
    ]);
  });

  it('should satisfy helm: every dependency present at the version Chart.yaml asks for', async () => {
    const result = await run('helm', ['dependency', 'list', chart.dir]);
    expect(result.code, result.stderr).toBe(0);
    const rows = result.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t').map((cell) => cell.trim()));
    expect(rows).toHaveLength(5);
    for (const row of rows) expect(row[3], row.join(' ')).toBe('ok');
  });

  it('should name the dependency and the folder when a package is missing', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'apexseo-no-packages-'));
    try {
      const failure = assembleChartWithDependencies({ packagesDir: empty });
      await expect(failure).rejects.toBeInstanceOf(MissingDependencyPackageError);
      await expect(failure).rejects.toThrow(`dependency keda: no keda-2.20.2.tgz in ${empty}`);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('should print the chart folder last on stdout from the command line', async () => {
    const dest = await mkdtemp(path.join(tmpdir(), 'apexseo-cli-'));
    try {
      const result = await run('tsx', ['test/chart/tools/assemble-chart.ts', dest]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout.trim().split('\n').at(-1)).toBe(path.join(dest, 'apexseo'));
      expect(result.stderr).toContain('version rewritten: neo4j: Chart.yaml pins 5.26.21');
      expect(result.stderr).toContain(upstreamChartsDir);
      expect((await readdir(path.join(dest, 'apexseo', 'charts'))).length).toBe(5);
    } finally {
      await rm(dest, { recursive: true, force: true });
    }
  });
});
