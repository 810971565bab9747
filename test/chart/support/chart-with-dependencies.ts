import { access, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { copyChartSources, type ChartCopy } from './chart-copy.js';

/**
 * Folder of the dependency chart packages (`<name>-<version>.tgz`), packaged from the upstream release tags.
 * A real user's `helm dependency build` downloads the same versions from the chart repositories in Chart.yaml.
 */
export const upstreamChartsDir = process.env.APEXSEO_UPSTREAM_CHARTS ?? '/work/shared/upstream-charts';

/**
 * The one pinned dependency version with no package in the upstream charts folder, and the packaged version the
 * assembled copy uses in its place. The value keys the chart sets under `neo4j:` exist in both versions.
 */
export const offlineSubstitutes: Readonly<Record<string, { pinned: string; packaged: string }>> = {
  neo4j: { pinned: '5.26.21', packaged: '5.17.0' },
};

export interface AssembledChart extends ChartCopy {
  /** One sentence per dependency whose version the copy changed (empty when none was changed). */
  substitutions: string[];
  /** The dependency packages in the copy's charts/ folder. */
  packages: string[];
}

export class MissingDependencyPackageError extends Error {
  readonly type = 'MISSING_DEPENDENCY_PACKAGE';
  constructor(
    readonly dependency: string,
    readonly file: string,
    readonly packagesDir: string,
  ) {
    super(
      `dependency ${dependency}: no ${file} in ${packagesDir} ` +
        '(set APEXSEO_UPSTREAM_CHARTS to the folder holding the dependency chart packages)',
    );
    this.name = 'MissingDependencyPackageError';
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

interface Dependency {
  name: string;
  version: string;
}

/**
 * Copies charts/apexseo to `dest` (a new temporary folder by default) with every dependency's package in its
 * charts/ folder, as `helm dependency build` would leave it, so `helm lint`, `helm template` and `helm install` see
 * the real subcharts. Chart.yaml changes only where a pinned version has no package here (see offlineSubstitutes);
 * each such change is reported in `substitutions`. Chart.lock is left out of the copy: it pins the real versions.
 */
export async function assembleChartWithDependencies(
  options: { dest?: string; packagesDir?: string } = {},
): Promise<AssembledChart> {
  const packagesDir = options.packagesDir ?? upstreamChartsDir;
  const root = options.dest ?? (await mkdtemp(path.join(tmpdir(), 'apexseo-chart-deps-')));
  await rm(path.join(root, 'apexseo'), { recursive: true, force: true });
  const dir = await copyChartSources(root);
  const chartYaml = path.join(dir, 'Chart.yaml');
  const doc = parseDocument(await readFile(chartYaml, 'utf8'));
  const dependencies = (doc.toJS() as { dependencies?: Dependency[] }).dependencies ?? [];
  await mkdir(path.join(dir, 'charts'));

  const substitutions: string[] = [];
  const packages: string[] = [];
  for (const [index, dep] of dependencies.entries()) {
    let version = dep.version;
    const substitute = offlineSubstitutes[dep.name];
    if (
      substitute?.pinned === version &&
      !(await exists(path.join(packagesDir, `${dep.name}-${version}.tgz`)))
    ) {
      version = substitute.packaged;
      doc.setIn(['dependencies', index, 'version'], version);
      substitutions.push(
        `${dep.name}: Chart.yaml pins ${dep.version} but ${packagesDir} has no package of it; ` +
          `this copy uses ${dep.name}-${version}.tgz and its Chart.yaml says version ${version}`,
      );
    }
    const file = `${dep.name}-${version}.tgz`;
    const source = path.join(packagesDir, file);
    if (!(await exists(source))) throw new MissingDependencyPackageError(dep.name, file, packagesDir);
    await cp(source, path.join(dir, 'charts', file));
    packages.push(file);
  }
  await writeFile(chartYaml, doc.toString());
  return {
    dir,
    substitutions,
    packages,
    remove: () => rm(options.dest ? dir : root, { recursive: true, force: true }),
  };
}
