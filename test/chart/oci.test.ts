import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyChartWithoutDependencies, type ChartCopy } from './support/chart-copy.js';
import { startOciRegistry, type OciRegistry } from './support/oci-registry.js';
import { kedaApi, monitoringApi, renderText } from './support/render.js';
import { kubeVersion, run } from './support/tools.js';

/**
 * A real OCI registry (distribution's `registry` binary, built by scripts/bootstrap.sh) on loopback. The chart is
 * packaged from a copy without its dependencies (their archives cannot be fetched here; a release build runs
 * `helm dependency build` first, so the published package contains them).
 */
let chart: ChartCopy;
let work: string;
let registry: OciRegistry | undefined;
let registryUrl: string;
let packaged: string;

beforeAll(async () => {
  chart = await copyChartWithoutDependencies();
  work = await mkdtemp(path.join(tmpdir(), 'apexseo-oci-'));
  registry = await startOciRegistry();
  registryUrl = registry.address;
  const pack = await run('helm', ['package', chart.dir, '--destination', work]);
  expect(pack.code, pack.stderr).toBe(0);
  packaged = path.join(work, 'apexseo-0.1.0.tgz');
}, 120_000);

afterAll(async () => {
  await registry?.stop();
  await chart.remove();
  await rm(work, { recursive: true, force: true });
});

describe('OCI distribution', () => {
  it('should push the packaged chart to the registry and pull back the same digest', async () => {
    const push = await run('helm', ['push', packaged, `oci://${registryUrl}/charts`, '--plain-http']);
    expect(push.code, push.stderr).toBe(0);
    const pushedDigest = /Digest: (sha256:[0-9a-f]{64})/.exec(push.stdout + push.stderr)?.[1];
    expect(pushedDigest).toBeDefined();

    const pullDir = path.join(work, 'pulled');
    await mkdir(pullDir);
    const pull = await run('helm', [
      'pull',
      `oci://${registryUrl}/charts/apexseo`,
      '--version',
      '0.1.0',
      '--plain-http',
      '--destination',
      pullDir,
    ]);
    expect(pull.code, pull.stderr).toBe(0);
    expect(/Digest: (sha256:[0-9a-f]{64})/.exec(pull.stdout + pull.stderr)?.[1]).toBe(pushedDigest);
    expect(await readdir(pullDir)).toEqual(['apexseo-0.1.0.tgz']);
  }, 120_000);

  it('should render the launch profile from oci:// exactly as from the chart folder', async () => {
    const fromRegistry = await run('helm', [
      'template',
      'apexseo',
      `oci://${registryUrl}/charts/apexseo`,
      '--version',
      '0.1.0',
      '--plain-http',
      '--namespace',
      'apexseo',
      '--kube-version',
      kubeVersion,
      '-f',
      path.join(chart.dir, 'values-launch.yaml'),
      '--api-versions',
      kedaApi,
      '--api-versions',
      monitoringApi,
    ]);
    expect(fromRegistry.code, fromRegistry.stderr).toBe(0);
    const fromFolder = await renderText(chart.dir, {
      profile: 'launch',
      apiVersions: [kedaApi, monitoringApi],
    });
    expect(fromRegistry.stdout).toBe(fromFolder);
    expect(fromRegistry.stdout).toContain('kind: ScaledObject');
  }, 120_000);

  it('should leave tests and scripts out of the package', async () => {
    const list = await run('tar', ['-tzf', packaged]);
    const files = list.stdout.split('\n').filter(Boolean);
    expect(files).toContain('apexseo/values.schema.json');
    expect(files).toContain('apexseo/dashboards/apexseo-workers.json');
    expect(files.filter((f) => f.startsWith('apexseo/tests/'))).toEqual([]);
  });
});
