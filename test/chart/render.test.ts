import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { copyChartWithoutDependencies, type ChartCopy } from './support/chart-copy.js';
import {
  findObject,
  kedaApi,
  monitoringApi,
  profiles,
  render,
  renderText,
  type K8sObject,
} from './support/render.js';
import { kubeVersion, run } from './support/tools.js';

let chart: ChartCopy;
beforeAll(async () => {
  chart = await copyChartWithoutDependencies();
});
afterAll(async () => {
  await chart.remove();
});

const clusterApis = [kedaApi, monitoringApi];

describe('helm lint --strict', () => {
  it.each(['values.yaml', ...profiles.map((p) => `values-${p}.yaml`)])(
    'should pass with %s',
    async (file) => {
      const result = await run('helm', [
        'lint',
        '--strict',
        chart.dir,
        '-f',
        `${chart.dir}/${file}`,
        '--kube-version',
        kubeVersion,
      ]);
      expect(result.stderr + result.stdout).toContain('0 chart(s) failed');
      expect(result.code).toBe(0);
    },
  );
});

describe('helm template of the profiles', () => {
  it.each(profiles)('should render the %s profile', async (profile) => {
    const text = await renderText(chart.dir, { profile, apiVersions: clusterApis });
    expect(text).toContain('kind: Deployment');
  });

  it('should render both worker pools as Deployments named after docs/architecture.md', async () => {
    const objects = await render(chart.dir, { profile: 'launch', apiVersions: clusterApis });
    const names = objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['eeat-worker-priority', 'eeat-worker-standard']));
  });

  it('should render the ClickHouseInstallation and the Retain SSD StorageClass only in the optimize profile', async () => {
    const launch = await render(chart.dir, { profile: 'launch', apiVersions: clusterApis });
    const optimize = await render(chart.dir, { profile: 'optimize', apiVersions: clusterApis });
    expect(launch.some((o) => o.kind === 'ClickHouseInstallation' || o.kind === 'StorageClass')).toBe(false);
    const sc = findObject(optimize, 'StorageClass', 'apexseo-ssd') as K8sObject & { reclaimPolicy: string };
    expect(sc.reclaimPolicy).toBe('Retain');
    expect(optimize.some((o) => o.kind === 'ClickHouseInstallation')).toBe(true);
  });

  it('should let KEDA release the ScaledObjects before helm uninstall deletes it, only when KEDA is in the release', async () => {
    const hookOf = (objects: K8sObject[]): string[] =>
      objects
        .filter((o) => o.metadata.annotations?.['helm.sh/hook'] === 'pre-delete')
        .map((o) => `${o.kind} ${o.metadata.name}`)
        .sort();
    const withKeda = await render(chart.dir, { profile: 'launch', apiVersions: clusterApis });
    const name = 'apexseo-keda-uninstall';
    expect(hookOf(withKeda)).toEqual(
      ['ConfigMap', 'Job', 'Role', 'RoleBinding', 'ServiceAccount'].map((kind) => `${kind} ${name}`),
    );
    const role = findObject(withKeda, 'Role', name) as K8sObject & {
      rules: { resources: string[]; resourceNames?: string[]; verbs: string[] }[];
    };
    // Only what the hook does: release this namespace's ScaledObjects, stop KEDA's operator, drop its Secret.
    expect(
      role.rules.map((r) => `${r.resources.join()} ${(r.resourceNames ?? []).join()} ${r.verbs.join()}`),
    ).toEqual([
      'scaledobjects  list,deletecollection',
      'deployments/scale keda-operator patch',
      'pods  list',
      'secrets kedaorg-certs delete',
    ]);
    const script = (findObject(withKeda, 'ConfigMap', name) as K8sObject & { data: Record<string, string> })
      .data;
    expect(script['keda-uninstall.mjs']).toBe(
      await readFile(path.join(chart.dir, 'files/keda-uninstall.mjs'), 'utf8'),
    );
    const withoutKeda = await render(chart.dir, {
      profile: 'launch',
      apiVersions: clusterApis,
      set: ['keda.enabled=false'],
    });
    expect(hookOf(withoutKeda)).toEqual([]);
  });

  it('should fall back to an HPA per pool when the cluster does not serve the KEDA API yet', async () => {
    const objects = await render(chart.dir, { profile: 'launch' });
    expect(objects.filter((o) => o.kind === 'ScaledObject')).toHaveLength(0);
    expect(
      objects
        .filter((o) => o.kind === 'HorizontalPodAutoscaler')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['eeat-worker-priority', 'eeat-worker-standard']);
  });

  it.each(profiles)(
    "should render, for an empty cluster, only objects whose API is built in or comes from an enabled dependency's crds/ folder (%s)",
    async (profile) => {
      // Helm installs crds/ folders (kube-prometheus-stack, the Altinity operator) before the templates; KEDA's CRDs
      // are templates, so a ScaledObject in the first install would fail the whole release.
      const values = parse(await readFile(path.join(chart.dir, `values-${profile}.yaml`), 'utf8')) as Record<
        string,
        { enabled?: boolean }
      >;
      const fromCrdFolders = new Set<string>();
      if (values['kube-prometheus-stack']?.enabled) fromCrdFolders.add('monitoring.coreos.com');
      if (values['altinity-clickhouse-operator']?.enabled) fromCrdFolders.add('clickhouse.altinity.com');
      const builtIn = new Set([
        'v1',
        'apps',
        'batch',
        'policy',
        'autoscaling',
        'networking.k8s.io',
        'rbac.authorization.k8s.io',
        'storage.k8s.io',
      ]);
      const objects = await render(chart.dir, { profile });
      const groups = new Set(
        objects.map((o) => (o.apiVersion.includes('/') ? (o.apiVersion.split('/')[0] ?? '') : 'v1')),
      );
      expect([...groups].filter((g) => !builtIn.has(g) && !fromCrdFolders.has(g))).toEqual([]);
      expect(objects.some((o) => o.apiVersion.startsWith('keda.sh/'))).toBe(false);
    },
  );

  it('should refuse a shutdown grace time that is not below terminationGracePeriodSeconds', async () => {
    await expect(
      renderText(chart.dir, { profile: 'launch', set: ['workers.pools.standard.shutdownGraceSeconds=30'] }),
    ).rejects.toThrow(
      /workers\.pools\.standard\.shutdownGraceSeconds \(30\) must be lower than terminationGracePeriodSeconds \(30\)/,
    );
  });
});
