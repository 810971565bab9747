import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyChartWithoutDependencies, type ChartCopy } from './support/chart-copy.js';
import { convertSharedCrds, crdSchemaDir } from './support/crd-schemas.js';
import { kubeconform } from './support/kubeconform.js';
import { kedaApi, monitoringApi, parseObjects, renderText, type RenderOptions } from './support/render.js';
import { chartDir } from './support/tools.js';

const crdGroups = new Set([
  'keda.sh',
  'monitoring.coreos.com',
  'clickhouse.altinity.com',
  'clickhouse-keeper.altinity.com',
]);
const ciFiles = (await readdir(path.join(chartDir, 'ci'))).filter((f) => f.endsWith('-values.yaml')).sort();

interface Variant {
  name: string;
  options: RenderOptions;
}

let chart: ChartCopy;
let converted: string[];

beforeAll(async () => {
  chart = await copyChartWithoutDependencies();
  converted = await convertSharedCrds();
}, 600_000);
afterAll(async () => {
  await chart.remove();
});

const clusterApis = [kedaApi, monitoringApi];
const variants: Variant[] = [
  { name: 'launch profile', options: { profile: 'launch', apiVersions: clusterApis } },
  { name: 'optimize profile', options: { profile: 'optimize', apiVersions: clusterApis } },
  {
    name: 'launch profile on a cluster without KEDA (HPA fallback)',
    options: { profile: 'launch', apiVersions: [monitoringApi] },
  },
  ...ciFiles.map((file) => ({
    name: `ci/${file}`,
    options: { valuesFiles: [path.join(chartDir, 'ci', file)], apiVersions: clusterApis },
  })),
];

describe('kubeconform', () => {
  it('should convert every shared CRD used by the chart into a JSON schema', () => {
    expect(converted).toEqual(
      expect.arrayContaining([
        'keda.sh/ScaledObject/v1alpha1',
        'keda.sh/TriggerAuthentication/v1alpha1',
        'monitoring.coreos.com/PodMonitor/v1',
        'monitoring.coreos.com/ServiceMonitor/v1',
        'monitoring.coreos.com/PrometheusRule/v1',
        'clickhouse.altinity.com/ClickHouseInstallation/v1',
      ]),
    );
  });

  it.each(variants)(
    'should validate every object of the $name against Kubernetes 1.34 and the CRDs',
    async ({ options }) => {
      const manifest = await renderText(chart.dir, options);
      const count = parseObjects(manifest).length;
      const { code, summary, output } = await kubeconform(manifest, { dir: crdSchemaDir, groups: crdGroups });
      expect(summary, output).toEqual({ valid: count, invalid: 0, errors: 0, skipped: 0 });
      expect(code).toBe(0);
    },
    600_000,
  );

  it('should reject a Deployment with a field Kubernetes does not know', async () => {
    const manifest = await renderText(chart.dir, { profile: 'launch', apiVersions: clusterApis });
    const broken = manifest.replace(
      '  revisionHistoryLimit: 5\n',
      '  revisionHistoryLimit: 5\n  replica: 2\n',
    );
    const { code, summary } = await kubeconform(broken, { dir: crdSchemaDir, groups: crdGroups });
    expect(summary.invalid).toBe(1);
    expect(code).not.toBe(0);
  }, 600_000);

  it('should reject a ScaledObject with a field the KEDA CRD does not know', async () => {
    const manifest = await renderText(chart.dir, { profile: 'launch', apiVersions: clusterApis });
    const broken = manifest.replaceAll(
      '  pollingInterval: 15\n',
      '  pollingInterval: 15\n  pollInterval: 15\n',
    );
    expect(broken).not.toBe(manifest);
    const { summary } = await kubeconform(broken, { dir: crdSchemaDir, groups: crdGroups });
    expect(summary.invalid).toBe(2);
  }, 600_000);
});
