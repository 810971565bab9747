/**
 * The chart's scaling claim on a real cluster: `helm install` of charts/apexseo (launch profile, its real KEDA
 * dependency) into a real Kubernetes v1.35 cluster (test/harness/cluster), the HPA-fallback -> ScaledObjects
 * upgrade through KEDA's real admission webhook, and KEDA's temporal scaler scaling eeat-worker-standard from 0 to
 * the replicas it computes from a real Temporal backlog and back to 0, while eeat-worker-priority never drops below
 * its minimum of 1. Finally `helm uninstall` must leave nothing of the release behind.
 * The measured times are written to .run/cluster-scaling.json (bench/isolation reads them).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { helm, startCluster, type RunningCluster } from '../harness/cluster/cluster.js';
import { buildBinaryImage, kedaImages } from '../harness/cluster/images.js';
import { useServices } from '../harness/index.js';
import { waitUntil } from '../harness/process/wait-until.js';
import { repoRoot } from '../harness/services/workspace.js';
import { modelReplicas } from '../../bench/isolation/src/replica-model.js';
import { poolFromScaledObject } from '../../bench/isolation/src/scaled-objects.js';
import { drainTaskQueue, registerNamespace, startBacklog, workflowBacklog } from './support/backlog.js';
import {
  assembleChartWithDependencies,
  type AssembledChart,
} from '../chart/support/chart-with-dependencies.js';
import { objectsOfRelease, snapshotObjects } from './support/objects.js';

const release = 'apexseo';
const ns = 'apexseo';
const temporalNamespace = 'cluster-e2e';
/** Chart values for a 2-core test machine; everything not listed is the launch profile's. */
const pools = { standard: 'eeat-worker-standard', priority: 'eeat-worker-priority' } as const;
const standardBacklog = 100;
const priorityBacklog = 12;
const targets = { standard: 20, priority: 5 }; // the chart's targetQueueSize per pool

interface Deployment {
  spec?: { replicas?: number };
  status?: { readyReplicas?: number; availableReplicas?: number };
}

let cluster: RunningCluster;
let chart: AssembledChart;
let connection: Connection;
let failed = false;

async function replicas(name: string): Promise<number> {
  const deployment = await cluster.api.get<Deployment>(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
  return deployment.spec?.replicas ?? 0;
}

async function waitAvailable(name: string, timeoutMs = 180_000): Promise<void> {
  await waitUntil(
    async () => {
      const d = await cluster.api.find<Deployment>(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
      return (d?.status?.availableReplicas ?? 0) > 0 ? true : undefined;
    },
    { timeoutMs, intervalMs: 1_000 },
  );
}

describe('the chart on a real cluster, scaled by real KEDA from a real Temporal backlog', () => {
  let valuesFile: string;
  let before: Set<string>;

  beforeAll(async () => {
    const { temporal } = await useServices('temporal');
    connection = await Connection.connect({ address: temporal.address });
    await registerNamespace(connection, temporalNamespace);
    [cluster, chart] = await Promise.all([
      startCluster({
        hostServices: { temporal: { address: temporal.address, port: 7233 } },
        imageArchives: Promise.all(Object.values(kedaImages).map((image) => buildBinaryImage(image))),
      }),
      assembleChartWithDependencies(),
    ]);
    valuesFile = join(chart.dir, '..', 'test-values.json');
    await writeFile(
      valuesFile,
      JSON.stringify({
        temporal: { address: cluster.hostServices.temporal, namespace: temporalNamespace },
        temporalServer: { enabled: false },
        // Where a user points the launch profile at managed stores. No pod of this test connects to them: the worker
        // pods here carry no platform image, and the scaling under test reads only Temporal.
        stores: {
          clickhouse: { url: 'http://clickhouse.external.svc.cluster.local:8123' },
          neo4j: { url: 'bolt://neo4j.external.svc.cluster.local:7687' },
        },
        keyService: { postgres: { host: 'postgres.external.svc.cluster.local', sslmode: 'disable' } },
        image: { pullPolicy: 'Never' },
        // KEDA's images are built locally from its own binaries (no registry is reachable): never pull them.
        keda: { image: { pullPolicy: 'IfNotPresent' } },
        workers: {
          // Shortened for the test: KEDA polls every 5 s and a pool sleeps 30 s after its backlog is gone.
          autoscaling: { pollingInterval: 5 },
          pools: Object.fromEntries(
            Object.keys(pools).map((pool) => [
              pool,
              {
                keda: { cooldownPeriod: 30, scaleDownStabilizationSeconds: 30 },
                // A 2-core node: the pods fit only with small requests.
                resources: { requests: { cpu: '50m', memory: '128Mi' } },
              },
            ]),
          ),
        },
      }),
    );
    // The launch profile reads Secrets created before the install (its header says so). KEDA reads them too: it
    // resolves the scale target's environment, Secret references included, before it builds a scaler.
    await cluster.api.apply(`/api/v1/namespaces/${ns}`, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
    for (const [name, key] of [
      ['apexseo-clickhouse', 'password'],
      ['apexseo-neo4j', 'password'],
      ['apexseo-key-service-postgres', 'password'],
      ['apexseo-key-service-admin', 'sha256'],
    ] as const) {
      await cluster.api.apply(`/api/v1/namespaces/${ns}/secrets/${name}`, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: ns },
        stringData: { [key]: 'test-only' },
      });
    }
    before = await snapshotObjects(cluster.api, ns);
  }, 900_000);

  afterAll(async () => {
    await connection?.close();
    const kept = await cluster?.stop({ keepLogs: failed });
    if (kept !== undefined) process.stderr.write(`[cluster] logs kept in ${kept}\n`);
    await chart?.remove();
  });

  const chartArgs = (): string[] => [
    chart.dir,
    '--namespace',
    ns,
    '--values',
    join(chart.dir, 'values-launch.yaml'),
    '--values',
    valuesFile,
    '--no-hooks',
  ];

  it('installs in one command: KEDA up, workers on the HPA fallback until KEDA serves its API', async () => {
    onTestFailed(() => void (failed = true));
    const started = performance.now();
    await helm(cluster, ['install', release, ...chartArgs()]);
    const hpas = await cluster.api.get<{ items: { metadata: { name: string } }[] }>(
      `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers`,
    );
    expect(hpas.items.map((h) => h.metadata.name).sort()).toEqual([pools.priority, pools.standard].sort());
    await Promise.all(
      ['keda-operator', 'keda-operator-metrics-apiserver', 'keda-admission-webhooks'].map((name) =>
        waitAvailable(name),
      ),
    );
    await waitUntil(
      async () => {
        const api = await cluster.api.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
          '/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.external.metrics.k8s.io',
        );
        return api.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True')
          ? true
          : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    process.stderr.write(
      `[cluster] helm install + KEDA available in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
  }, 400_000);

  it('upgrades from the HPA fallback to ScaledObjects through KEDA’s admission webhook', async () => {
    onTestFailed(() => void (failed = true));
    await helm(cluster, ['upgrade', release, ...chartArgs()]);
    await waitUntil(
      async () => {
        const list = await cluster.api.get<{
          items: {
            metadata: { name: string };
            status?: { conditions?: { type: string; status: string }[] };
          }[];
        }>(`/apis/keda.sh/v1alpha1/namespaces/${ns}/scaledobjects`);
        const ready = list.items.filter((so) =>
          so.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        );
        return ready.length === 2 ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    // In the end one HPA per pool, KEDA's, owned by its ScaledObject. On the way there KEDA takes each fallback HPA
    // over, Helm then deletes it as no longer part of the release, and KEDA creates it again: wait for that state.
    const expectedHpas = [`${pools.priority} <- ScaledObject`, `${pools.standard} <- ScaledObject`];
    const hpaOwners = async (): Promise<string[]> => {
      const hpas = await cluster.api.get<{
        items: {
          spec: { scaleTargetRef: { name: string } };
          metadata: { ownerReferences?: { kind: string }[] };
        }[];
      }>(`/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers`);
      return hpas.items
        .map((h) => `${h.spec.scaleTargetRef.name} <- ${h.metadata.ownerReferences?.[0]?.kind ?? 'none'}`)
        .sort();
    };
    const owners = await waitUntil(
      async () => {
        const now = await hpaOwners();
        return now.join() === expectedHpas.join() ? now : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    ).catch(hpaOwners);
    expect(owners).toEqual(expectedHpas);
    await waitUntil(async () => ((await replicas(pools.standard)) === 0 ? true : undefined), {
      timeoutMs: 120_000,
      intervalMs: 1_000,
    });
    expect(await replicas(pools.priority)).toBeGreaterThanOrEqual(1);
  }, 300_000);

  it('scales eeat-worker-standard 0 -> ceil(backlog / 20) -> 0 from a real backlog; priority never below 1', async () => {
    onTestFailed(() => void (failed = true));
    const client = new Client({ connection, namespace: temporalNamespace });
    const t0 = performance.now();
    const seconds = (): number => Math.round((performance.now() - t0) / 100) / 10;
    await Promise.all([
      startBacklog(client, 'eeat-standard', standardBacklog, `std-${Date.now()}`),
      startBacklog(client, 'eeat-priority', priorityBacklog, `prio-${Date.now()}`),
    ]);
    const backlogStarted = seconds();
    const wanted = Math.ceil(standardBacklog / targets.standard);
    const series: { t: number; standard: number; priority: number; backlog: number }[] = [];
    const drain = new AbortController();
    let drains: Promise<number[]> | undefined;
    // A drain that fails ends the wait at once (the pool would otherwise never go back to 0).
    let drainFailure: Error | undefined;
    let activated: number | undefined;
    let reachedWanted: number | undefined;
    let drainStarted: number | undefined;
    let backToZero: number | undefined;
    let priorityMax = 0;
    while (backToZero === undefined && drainFailure === undefined && seconds() < 400) {
      const [standard, priority, backlog] = await Promise.all([
        replicas(pools.standard),
        replicas(pools.priority),
        workflowBacklog(connection, temporalNamespace, 'eeat-standard'),
      ]);
      const t = seconds();
      const last = series.at(-1);
      if (last?.standard !== standard || last.priority !== priority) {
        process.stderr.write(
          `[cluster] ${t.toFixed(1)} s: standard ${standard}, priority ${priority}, backlog ${backlog}\n`,
        );
      }
      series.push({ t, standard, priority, backlog });
      expect(priority, `priority replicas at ${t} s`).toBeGreaterThanOrEqual(1);
      priorityMax = Math.max(priorityMax, priority);
      if (activated === undefined && standard > 0) activated = t;
      if (reachedWanted === undefined && standard >= wanted) reachedWanted = t;
      // The pods of this test run no worker image; the test drains the queues itself once KEDA showed its count.
      if (drains === undefined && (reachedWanted !== undefined || t > 200)) {
        drainStarted = t;
        drains = Promise.all(
          ['eeat-standard', 'eeat-priority'].map((queue) =>
            drainTaskQueue(connection, temporalNamespace, queue, drain.signal),
          ),
        );
        void drains.catch((error: unknown) => {
          drainFailure = error instanceof Error ? error : new Error(String(error));
        });
      }
      if (activated !== undefined && standard === 0) backToZero = t;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    drain.abort();
    if (drainFailure !== undefined) throw drainFailure;
    const completed = (await drains) ?? [];
    // The model bench/isolation uses, replayed over this run's backlog with the ScaledObject KEDA ran.
    const scaling = poolFromScaledObject(
      await cluster.api.get(`/apis/keda.sh/v1alpha1/namespaces/${ns}/scaledobjects/${pools.standard}`),
    );
    const modelled = scaling
      ? modelReplicas(
          series.map((p) => ({ t: p.t * 1000, backlog: p.backlog })),
          scaling,
          (series.at(-1)?.t ?? 0) * 1000,
        )
      : [];
    const firstModelled = (predicate: (replicas: number) => boolean): number | undefined => {
      const point = modelled.find((p) => p.t / 1000 > backlogStarted && predicate(p.replicas));
      return point === undefined ? undefined : point.t / 1000;
    };
    const modelActivated = firstModelled((r) => r > 0);
    const modelBackToZero =
      modelActivated === undefined
        ? undefined
        : modelled.find((p) => p.t / 1000 > modelActivated && p.replicas === 0);
    const figures = {
      measuredAt: new Date().toISOString(),
      backlog: { standard: standardBacklog, priority: priorityBacklog },
      backlogStartedSeconds: backlogStarted,
      standard: {
        activatedSeconds: activated,
        computedReplicas: wanted,
        reachedComputedSeconds: reachedWanted,
        maxReplicas: Math.max(...series.map((s) => s.standard)),
        drainStartedSeconds: drainStarted,
        backToZeroSeconds: backToZero,
      },
      priority: { min: Math.min(...series.map((s) => s.priority)), max: priorityMax },
      model: {
        activatedSeconds: modelActivated,
        reachedComputedSeconds: firstModelled((r) => r >= wanted),
        maxReplicas: Math.max(0, ...modelled.map((p) => p.replicas)),
        backToZeroSeconds: modelBackToZero === undefined ? undefined : modelBackToZero.t / 1000,
      },
      completedWorkflows: completed,
      series,
      modelSeries: modelled.map((p) => ({ t: p.t / 1000, requested: p.requested, replicas: p.replicas })),
    };
    await mkdir(join(repoRoot, '.run'), { recursive: true });
    await writeFile(join(repoRoot, '.run', 'cluster-scaling.json'), `${JSON.stringify(figures, null, 2)}\n`);
    process.stderr.write(`[cluster] scaling: ${JSON.stringify({ ...figures, series: undefined })}\n`);
    expect(scaling, 'the ScaledObject KEDA ran reads as a pool').not.toBeNull();

    expect(activated, 'standard pool woke from 0').toBeDefined();
    expect(figures.standard.maxReplicas).toBe(wanted);
    expect(priorityMax, 'priority scaled to ceil(12 / 5)').toBe(
      Math.ceil(priorityBacklog / targets.priority),
    );
    expect(backToZero, 'standard pool back to 0 after the drain and the cooldown').toBeDefined();
    expect(completed.reduce((a, b) => a + b, 0)).toBe(standardBacklog + priorityBacklog);
  }, 600_000);

  it('uninstalls as the chart README says (ScaledObjects first, then helm uninstall), leaving no object of the release', async () => {
    onTestFailed(() => void (failed = true));
    // KEDA's finalizer on each ScaledObject is removed only by its operator. A bare `helm uninstall` deletes the
    // ScaledObjects, the operator and KEDA's CRDs in one pass, and on this cluster the ScaledObjects and their CRD
    // then stayed Terminating for good. So, as the chart README's uninstall step says: ScaledObjects first.
    const scaledObjects = `/apis/keda.sh/v1alpha1/namespaces/${ns}/scaledobjects`;
    for (const name of Object.values(pools)) await cluster.api.delete(`${scaledObjects}/${name}`);
    await waitUntil(
      async () =>
        (await cluster.api.get<{ items: unknown[] }>(scaledObjects)).items.length === 0 ? true : undefined,
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    await helm(cluster, ['uninstall', release, '--namespace', ns, '--wait', '--timeout', '120s']);
    // KEDA's operator writes its generated certificates to this Secret at run time; Helm never knew it, so the
    // README's uninstall step deletes it too.
    await cluster.api.delete(`/api/v1/namespaces/${ns}/secrets/kedaorg-certs`);
    // Objects the release's controllers own (KEDA's HPAs) go with their owners: give the garbage collector time.
    const left = await waitUntil(
      async () => {
        const now = await objectsOfRelease(cluster.api, ns, before);
        return now.length === 0 ? now : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 2_000 },
    ).catch(async () => objectsOfRelease(cluster.api, ns, before));
    expect(left).toEqual([]);
  }, 300_000);
});
