import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { repoRoot } from '../../harness/services/workspace.js';

/** Packaged dependency charts (test fixtures, never copied into the repository). */
export const upstreamChartsDir = process.env.APEXSEO_UPSTREAM_CHARTS ?? '/work/shared/upstream-charts';

/** Dependencies whose packaged version differs from the pinned one (see SOURCES.md in upstreamChartsDir). */
const availableVersions: Readonly<Record<string, string>> = { neo4j: '5.17.0' };

export interface AssembledChart {
  dir: string;
  remove(): Promise<void>;
}

/**
 * A temporary copy of charts/apexseo with every dependency archive in its charts/ folder, as
 * `helm dependency build` leaves it for a user. Only the neo4j pin is rewritten, to the version packaged here.
 */
export async function assembleChart(): Promise<AssembledChart> {
  const root = await mkdtemp(join(tmpdir(), 'apexseo-cluster-chart-'));
  const dir = join(root, 'apexseo');
  await cp(join(repoRoot, 'charts/apexseo'), dir, {
    recursive: true,
    filter: (src) => !src.startsWith(join(repoRoot, 'charts/apexseo/charts')),
  });
  const chartYaml = join(dir, 'Chart.yaml');
  const doc = parseDocument(await readFile(chartYaml, 'utf8'));
  const dependencies = doc.toJS() as { dependencies: { name: string; version: string }[] };
  await mkdir(join(dir, 'charts'));
  for (const [index, dependency] of dependencies.dependencies.entries()) {
    const version = availableVersions[dependency.name] ?? dependency.version;
    if (version !== dependency.version) doc.setIn(['dependencies', index, 'version'], version);
    const archive = `${dependency.name}-${version}.tgz`;
    await copyFile(join(upstreamChartsDir, archive), join(dir, 'charts', archive));
  }
  await writeFile(chartYaml, doc.toString());
  return { dir, remove: () => rm(root, { recursive: true, force: true }) };
}
