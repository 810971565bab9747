/**
 * The platform on a real cluster, as a user installs it: `helm install` of charts/apexseo (launch profile, its real
 * KEDA dependency, the project's own images) into a real Kubernetes v1.35 cluster (test/harness/cluster), its hooks
 * migrating the stores and the key database; the HPA-fallback -> ScaledObjects upgrade through KEDA's real admission
 * webhook; KEDA's temporal scaler scaling eeat-worker-standard from 0 to the replicas it computes from a real
 * Temporal backlog and back to 0, while eeat-worker-priority never drops below its minimum of 1; audits run by the
 * worker pods, which fetch each tenant's LLM key from the key service with their projected ServiceAccount tokens;
 * a worker pod deleted in the middle of an audit losing nothing; and a plain `helm uninstall` leaving nothing behind.
 *
 * The managed stores, the LLM provider and the audited sites are outside the cluster (support/outside.ts).
 * The measured scaling times are written to .run/cluster-scaling.json (bench/isolation reads them).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { PrivateHostAllowance } from '../../packages/eeat-worker/src/fetch/private-host-allowance.js';
import { startAudit } from '../../packages/eeat-worker/src/routing/start-audit.js';
import { progressQuery } from '../../packages/eeat-worker/src/workflows/audit-queries.js';
import { PageResultsStore } from '../../packages/eeat-worker/src/storage/clickhouse/page-results-store.js';
import { helm, nodeName, startCluster, type RunningCluster } from '../harness/cluster/cluster.js';
import { buildBinaryImage, kedaImages } from '../harness/cluster/images.js';
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
import { startOutside, type Outside } from './support/outside.js';
import { platformImageArchives } from './support/platform-images.js';

const release = 'apexseo';
const ns = 'apexseo';
const temporalNamespace = 'cluster-e2e';
const pools = { standard: 'eeat-worker-standard', priority: 'eeat-worker-priority' } as const;
const standardBacklog = 100;
const priorityBacklog = 12;
const targets = { standard: 20, priority: 5 }; // the chart's targetQueueSize per pool
/**
 * Worker pods are placed only on nodes with this label (test values). Until the audits, the node lacks it: KEDA
 * scales the Deployments from a backlog nobody consumes, so the replica count it computes can be read off; then
 * the node gets the label and the pending pods start.
 */
const workerNodeLabel = 'apexseo.test/workers';
const keyService = 'apexseo-key-service';
const auditLimits = { pages: 8, depth: 2, concurrencyPerHost: 2 };

interface Deployment {
  spec?: { replicas?: number };
  status?: { readyReplicas?: number; availableReplicas?: number };
}
interface Pod {
  metadata: { name: string; deletionTimestamp?: string };
  status?: { phase?: string };
}

let outside: Outside;
let cluster: RunningCluster;
let chart: AssembledChart;
let connection: Connection;
let client: Client;
let failed = false;
let keyServiceAddress: string | undefined;

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

/** The pods of a worker pool (the chart labels them `app.kubernetes.io/component: worker-<pool>`). */
async function podsOf(pool: keyof typeof pools): Promise<Pod[]> {
  const selector = encodeURIComponent(`app.kubernetes.io/component=worker-${pool}`);
  const list = await cluster.api.get<{ items: Pod[] }>(
    `/api/v1/namespaces/${ns}/pods?labelSelector=${selector}`,
  );
  return list.items;
}

/**
 * Stores a tenant's key through the in-cluster key service's admin API, reached as an operator would with
 * `kubectl port-forward service/apexseo-key-service` (the app backend calls it from inside the cluster).
 */
async function putKey(tenantId: string, apiKey: string): Promise<void> {
  keyServiceAddress ??= await cluster.forward(ns, keyService, 8080);
  const response = await fetch(`http://${keyServiceAddress}/v1/tenants/${tenantId}/keys/openai`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${outside.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ apiKey }),
  });
  expect(response.status, `storing the key of ${tenantId}`).toBe(200);
}

/** Key acquisitions the key service recorded for a tenant: `caller outcome` (caller = subject/pod). */
async function keyAcquisitions(tenantId: string): Promise<string[]> {
  const { rows } = await outside.keysDb.query<{ actor: string; outcome: string }>(
    "SELECT DISTINCT actor, outcome FROM audit_log WHERE action = 'acquire' AND tenant_id = $1",
    [tenantId],
  );
  return rows.map((r) => `${r.actor} ${r.outcome}`).sort();
}

/** The pages an audit recorded in ClickHouse. */
function auditPages(tenantId: string, auditId: string): Promise<unknown[]> {
  return new PageResultsStore(outside.clickhouseClient, outside.clickhouse.database).auditPages(
    tenantId,
    auditId,
  );
}

function llmAudit(tenantId: string, plan: 'mrr' | 'ltd', site: 'site' | 'slow-site') {
  const host = cluster.hostServices[site] ?? '';
  return startAudit(
    client,
    {
      tenantId,
      plan,
      siteUrl: `http://${host}/`,
      limits: auditLimits,
      scoring: 'llm',
      provider: 'openai',
      allowHosts: [host],
    },
    { privateHosts: PrivateHostAllowance.parse(host) },
  );
}

describe('the platform on a real cluster: install, KEDA scaling from a real backlog, audits in pods, uninstall', () => {
  let valuesFile: string;
  let before: Set<string>;

  beforeAll(async () => {
    outside = await startOutside('cluster_e2e');
    connection = await Connection.connect({ address: outside.temporal.address });
    client = new Client({ connection, namespace: temporalNamespace });
    await registerNamespace(connection, temporalNamespace);
    [cluster, chart] = await Promise.all([
      startCluster({
        hostServices: outside.hostServices,
        imageArchives: Promise.all([
          ...Object.values(kedaImages).map((image) => buildBinaryImage(image)),
          ...platformImageArchives(),
        ]),
      }),
      assembleChartWithDependencies(),
    ]);
    const hosts = cluster.hostServices;
    const postgres = hosts.postgres?.split(':')[0] ?? '';
    valuesFile = join(chart.dir, '..', 'test-values.json');
    await writeFile(
      valuesFile,
      JSON.stringify({
        temporal: { address: hosts.temporal, namespace: temporalNamespace },
        temporalServer: { enabled: false },
        // The managed stores, here the services harness's servers outside the cluster.
        stores: {
          clickhouse: {
            url: `http://${hosts.clickhouse}`,
            database: outside.clickhouse.database,
            user: outside.clickhouse.username,
          },
          neo4j: { url: `bolt://${hosts.neo4j}`, user: outside.neo4j.username },
        },
        keyService: {
          replicas: 1,
          postgres: {
            host: postgres,
            port: 5432,
            database: outside.keysDatabase.database,
            user: outside.keysDatabase.user,
            sslmode: 'disable',
          },
          // No cloud KMS here: the local key ring provider, from a Secret created before the install.
          kek: { provider: 'local', local: { existingSecret: 'apexseo-key-service-kek' } },
        },
        image: { pullPolicy: 'Never' },
        // KEDA's images are built locally from its own binaries (no registry is reachable): never pull them.
        keda: { image: { pullPolicy: 'IfNotPresent' } },
        workers: {
          // The provider stand-in as the tenants' LLM endpoint, and the sample sites (private addresses, allowed
          // for tests only) as the audited sites.
          llm: { openaiBaseUrl: `http://${hosts.llm}` },
          fetch: { privateHosts: `${hosts.site},${hosts['slow-site']}` },
          // Shortened for the test: KEDA polls every 5 s and a pool sleeps 30 s after its backlog is gone.
          autoscaling: { pollingInterval: 5 },
          pools: Object.fromEntries(
            Object.keys(pools).map((pool) => [
              pool,
              {
                keda: { cooldownPeriod: 30, scaleDownStabilizationSeconds: 30 },
                // A 2-core node: the pods fit only with small requests.
                resources: { requests: { cpu: '50m', memory: '128Mi' } },
                nodeSelector: { [workerNodeLabel]: 'run' },
                // In-flight activities get 5 s after SIGTERM, less than a collection step of the slow site takes.
                shutdownGraceSeconds: 5,
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
    for (const [name, key, value] of [
      ['apexseo-clickhouse', 'password', outside.clickhouse.password],
      ['apexseo-neo4j', 'password', outside.neo4j.password],
      ['apexseo-key-service-postgres', 'password', outside.keysDatabase.password],
      ['apexseo-key-service-admin', 'sha256', outside.adminTokenSha256],
      ['apexseo-key-service-kek', 'kek.json', outside.keyRing],
    ] as const) {
      await cluster.api.apply(`/api/v1/namespaces/${ns}/secrets/${name}`, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: ns },
        stringData: { [key]: value },
      });
    }
    // The controller manager gives every new namespace a `default` ServiceAccount and the `kube-root-ca.crt`
    // ConfigMap: wait for them, so that they count as the namespace's and not as objects the release left.
    await waitUntil(
      async () =>
        (await cluster.api.find(`/api/v1/namespaces/${ns}/serviceaccounts/default`)) !== undefined &&
        (await cluster.api.find(`/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`)) !== undefined
          ? true
          : undefined,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    before = await snapshotObjects(cluster.api, ns);
  }, 900_000);

  afterAll(async () => {
    await connection?.close();
    const kept = await cluster?.stop({ keepLogs: failed });
    if (kept !== undefined) process.stderr.write(`[cluster] logs kept in ${kept}\n`);
    await chart?.remove();
    await outside?.close();
  });

  const chartArgs = (): string[] => [
    chart.dir,
    '--namespace',
    ns,
    '--values',
    join(chart.dir, 'values-launch.yaml'),
    '--values',
    valuesFile,
    '--timeout',
    '10m',
  ];

  it('installs in one command: hooks migrate the stores and the key database, KEDA up, workers on the HPA fallback', async () => {
    onTestFailed(() => void (failed = true));
    const started = performance.now();
    await helm(cluster, ['install', release, ...chartArgs()]);
    process.stderr.write(
      `[cluster] helm install with its migration hooks: ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
    // The hooks ran the images' migrations against the outside stores.
    const tables = await outside.clickhouseClient.query({
      query: `SELECT name FROM system.tables WHERE database = '${outside.clickhouse.database}'`,
      format: 'JSONEachRow',
    });
    expect((await tables.json<{ name: string }>()).map((t) => t.name)).toContain('audit_pages');
    const { rows } = await outside.keysDb.query<{ n: string }>(
      'SELECT count(*) AS n FROM key_service_migrations',
    );
    expect(Number(rows[0]?.n)).toBeGreaterThan(0);

    const hpas = await cluster.api.get<{ items: { metadata: { name: string } }[] }>(
      `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers`,
    );
    expect(hpas.items.map((h) => h.metadata.name).sort()).toEqual([pools.priority, pools.standard].sort());
    await Promise.all(
      ['keda-operator', 'keda-operator-metrics-apiserver', 'keda-admission-webhooks', keyService].map(
        (name) => waitAvailable(name),
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
      `[cluster] helm install + KEDA and the key service available in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
  }, 900_000);

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
  }, 600_000);

  it('scales eeat-worker-standard 0 -> ceil(backlog / 20) -> 0 from a real backlog; priority never below 1', async () => {
    onTestFailed(() => void (failed = true));
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
      // The worker pods wait for a node (workerNodeLabel): the test drains the queues once KEDA showed its count.
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

  const mrrTenant = `cluster-mrr-${randomUUID().slice(0, 8)}`;
  let mrrCounts: unknown;

  it('runs audits in the worker pods, which fetch each tenant’s key with their projected ServiceAccount tokens', async () => {
    onTestFailed(() => void (failed = true));
    const ltdTenant = `cluster-ltd-${randomUUID().slice(0, 8)}`;
    const keys = { [mrrTenant]: `sk-${randomUUID()}`, [ltdTenant]: `sk-${randomUUID()}` };
    for (const [tenant, key] of Object.entries(keys)) await putKey(tenant, key);

    // The worker pods may start now. A worker is Ready only once it polls and the key service accepted its token.
    const started = performance.now();
    await cluster.api.mergePatch(`/api/v1/nodes/${nodeName}`, {
      metadata: { labels: { [workerNodeLabel]: 'run' } },
    });
    await waitAvailable(pools.priority);
    process.stderr.write(
      `[cluster] priority worker Ready ${((performance.now() - started) / 1000).toFixed(1)} s after its node appeared\n`,
    );

    // The standard pool is at 0: KEDA wakes it for the lifetime-deal audit.
    const [mrr, ltd] = await Promise.all([
      llmAudit(mrrTenant, 'mrr', 'site'),
      llmAudit(ltdTenant, 'ltd', 'site'),
    ]);
    expect([mrr.taskQueue, ltd.taskQueue]).toEqual(['eeat-priority', 'eeat-standard']);
    const [mrrResult, ltdResult] = await Promise.all([mrr.handle.result(), ltd.handle.result()]);
    process.stderr.write(
      `[cluster] audits through the pods done ${((performance.now() - started) / 1000).toFixed(1)} s after the node appeared\n`,
    );
    for (const result of [mrrResult, ltdResult]) {
      expect(result.counts.audited).toBeGreaterThan(0);
      expect(result.counts.failed).toBe(0);
    }
    expect(ltdResult.counts).toEqual(mrrResult.counts);
    mrrCounts = mrrResult.counts;
    // Every rated page cost the tenant one call with its own key, fetched at run time through the key service.
    expect(outside.llm.calls(keys[mrrTenant])).toBe(mrrResult.counts.audited);
    expect(outside.llm.calls(keys[ltdTenant])).toBe(ltdResult.counts.audited);

    // The key service verified the pods' projected tokens against the API server's key set: it names each caller
    // by the token's subject and the pod the kubelet bound the token to (`<deployment>-<replica set>-<suffix>`).
    const granted = (pool: string): RegExp =>
      new RegExp(`^system:serviceaccount:${ns}:${pool}/${pool}-[a-z0-9]+-[a-z0-9]{5} granted$`);
    const mrrCalls = await keyAcquisitions(mrrTenant);
    const ltdCalls = await keyAcquisitions(ltdTenant);
    expect(mrrCalls.length).toBeGreaterThan(0);
    expect(ltdCalls.length).toBeGreaterThan(0);
    for (const call of mrrCalls) expect(call).toMatch(granted(pools.priority));
    for (const call of ltdCalls) expect(call).toMatch(granted(pools.standard));

    expect(await auditPages(mrrTenant, mrr.auditId)).toHaveLength(mrrResult.counts.total);
  }, 600_000);

  it('loses nothing when the worker pod running an audit is deleted in the middle of it', async () => {
    onTestFailed(() => void (failed = true));
    // One priority pod left (KEDA scales the pool back to its minimum after the backlog test): the audit's.
    const victim = await waitUntil(
      async () => {
        const running = (await podsOf('priority')).filter(
          (p) => p.status?.phase === 'Running' && p.metadata.deletionTimestamp === undefined,
        );
        return running.length === 1 && (await replicas(pools.priority)) === 1 ? running[0] : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 2_000 },
    );
    // Every page of this site answers slowly: collection outlasts the pool's shutdown grace (test values), so the
    // deleted pod gives its collection step up unfinished.
    const audit = await llmAudit(mrrTenant, 'mrr', 'slow-site');
    await waitUntil(
      async () => ((await audit.handle.query(progressQuery)).phase === 'collecting' ? true : undefined),
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    await cluster.api.delete(`/api/v1/namespaces/${ns}/pods/${victim.metadata.name}`);

    const result = await audit.handle.result();
    expect(result.counts).toEqual(mrrCounts);
    expect(await auditPages(mrrTenant, audit.auditId)).toHaveLength(result.counts.total);
    // The audit's activities ran in the deleted pod and in its replacement (identity `pid@<pod name>`).
    const { events } = await audit.handle.fetchHistory();
    const workers = new Set(
      (events ?? []).flatMap((e) => {
        const identity = e.activityTaskStartedEventAttributes?.identity;
        return identity ? [identity.slice(identity.indexOf('@') + 1)] : [];
      }),
    );
    expect(workers).toContain(victim.metadata.name);
    expect([...workers].filter((pod) => pod !== victim.metadata.name).length).toBeGreaterThan(0);
  }, 600_000);

  it('uninstalls with a plain helm uninstall, leaving no object of the release', async () => {
    onTestFailed(() => void (failed = true));
    // The chart's pre-delete hook lets KEDA release the ScaledObjects before Helm deletes KEDA (their finalizer
    // would otherwise keep them and KEDA's CRD Terminating for good), then stops KEDA and deletes its Secret.
    const started = performance.now();
    await helm(cluster, ['uninstall', release, '--namespace', ns, '--wait', '--timeout', '300s']);
    process.stderr.write(
      `[cluster] helm uninstall: ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
    // Objects the release's controllers own (KEDA's HPAs) go with their owners: give the garbage collector time.
    const left = await waitUntil(
      async () => {
        const now = await objectsOfRelease(cluster.api, ns, before);
        return now.length === 0 ? now : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 2_000 },
    ).catch(async () => objectsOfRelease(cluster.api, ns, before));
    expect(left).toEqual([]);
  }, 600_000);
});
