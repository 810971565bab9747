import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadKeyServiceConfig,
  loadPostgresConfig,
} from '../../packages/key-service/src/config/key-service-config.js';
import { loadWorkerConfig, WORKER_CONFIG_ENV } from '../../packages/worker-sdk/src/config/worker-config.js';
import { PRIVATE_HOSTS_ENV } from '../../packages/eeat-worker/src/fetch/private-host-allowance.js';
import { loadEeatWorkerConfig } from '../../packages/eeat-worker/src/config/eeat-config.js';
import { copyChartWithoutDependencies, type ChartCopy } from './support/chart-copy.js';
import { findObject, kedaApi, profiles, render, type K8sObject } from './support/render.js';
import { repoRoot } from './support/tools.js';

/**
 * The chart's environment for the workers and the key service, read by the packages' own configuration loaders:
 * a variable the loaders reject, or one that no part of the platform reads, fails here rather than in a cluster.
 */
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

/** Container env as the process would see it; Secret references become stand-in values of the right shape. */
function processEnv(env: readonly EnvVar[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of env) {
    if (e.value !== undefined) out[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef)
      out[e.name] = e.name.endsWith('_SHA256')
        ? 'ab'.repeat(32)
        : `from-secret-${e.valueFrom.secretKeyRef.name}`;
  }
  return out;
}

function containerEnv(obj: K8sObject): EnvVar[] {
  return (
    (obj as unknown as { spec: { template: { spec: { containers: { env: EnvVar[] }[] } } } }).spec.template
      .spec.containers[0]?.env ?? []
  );
}

/** Worker variables documented in docs/architecture.md (the SDK's and the eeat-worker's, e.g. the stores). */
async function documentedWorkerVariables(): Promise<Set<string>> {
  const doc = await readFile(path.join(repoRoot, 'docs/architecture.md'), 'utf8');
  const section = doc.slice(doc.indexOf('Worker ('), doc.indexOf('Key service:'));
  return new Set([...section.matchAll(/`(APEXSEO_[A-Z0-9_]+)`/g)].map((m) => m[1] ?? ''));
}

/** Worker settings no profile sets: endpoints of an LLM gateway and, for development, a private staging site. */
const optionalWorkerSettings = [
  'workers.llm.openaiBaseUrl=http://llm-gateway.ai.svc.cluster.local:8080',
  'workers.llm.anthropicBaseUrl=https://anthropic.example.com/v1',
  'workers.fetch.privateHosts=staging.apexseo.svc.cluster.local:8080',
];

let chart: ChartCopy;
beforeAll(async () => {
  chart = await copyChartWithoutDependencies();
});
afterAll(async () => {
  await chart.remove();
});

const cases = profiles.flatMap((profile) => [
  { profile, pool: 'eeat-worker-priority', queue: 'eeat-priority' },
  { profile, pool: 'eeat-worker-standard', queue: 'eeat-standard' },
]);

describe('environment contract with the packages', () => {
  it.each(cases)(
    'should give $pool ($profile) an environment loadWorkerConfig and the worker binary’s loader accept',
    async ({ profile, pool, queue }) => {
      const objects = await render(chart.dir, { profile, apiVersions: [kedaApi] });
      const env = processEnv(containerEnv(findObject(objects, 'Deployment', pool)));
      expect(env['APEXSEO_KEY_SERVICE_TOKEN_FILE']).toBe('/var/run/secrets/apexseo/key-service/token');
      // Stand in for the projected token volume: the worker refuses a token file it cannot read.
      const volume = await mkdtemp(path.join(tmpdir(), 'apexseo-token-'));
      const { config, worker } = await writeFile(path.join(volume, 'token'), 'projected-token')
        .then(() => {
          const projected = { ...env, APEXSEO_KEY_SERVICE_TOKEN_FILE: path.join(volume, 'token') };
          return { config: loadWorkerConfig({}, projected), worker: loadEeatWorkerConfig({}, projected) };
        })
        .finally(() => rm(volume, { recursive: true, force: true }));
      // The binary reads the SDK's part through the same loader, plus the stores and its own variables.
      expect(worker.sdk).toEqual(config);
      expect(worker.stores.clickhouse.url).toBe(env['APEXSEO_CLICKHOUSE_URL']);
      expect(worker.stores.neo4j.boltUrl).toBe(env['APEXSEO_NEO4J_URL']);
      expect(config.taskQueue).toBe(queue);
      expect(config.metrics.port).toBe(9464);
      expect(config.metrics.temporalPort).toBe(9465);
      expect(config.shutdownGraceSeconds).toBeLessThan(
        (
          findObject(objects, 'Deployment', pool) as unknown as {
            spec: { template: { spec: { terminationGracePeriodSeconds: number } } };
          }
        ).spec.template.spec.terminationGracePeriodSeconds,
      );
    },
  );

  it('should set only worker variables that the SDK or docs/architecture.md define', async () => {
    const known = new Set([
      ...Object.values(WORKER_CONFIG_ENV),
      ...(await documentedWorkerVariables()),
      'NODE_ENV',
    ]);
    const objects = await render(chart.dir, {
      profile: 'optimize',
      apiVersions: [kedaApi],
      set: [
        'temporal.auth.mode=mtls',
        'temporal.auth.existingSecret=t',
        'temporal.auth.caProvided=true',
        ...optionalWorkerSettings,
      ],
    });
    const names = objects
      .filter((o) => o.kind === 'Deployment' && o.metadata.name.startsWith('eeat-worker-'))
      .flatMap((o) => containerEnv(o).map((e) => e.name));
    expect(names.filter((n) => !known.has(n))).toEqual([]);
  });

  it('should pass the LLM endpoints and a private-host allowance, when set, through to the worker configuration', async () => {
    const objects = await render(chart.dir, {
      profile: 'launch',
      apiVersions: [kedaApi],
      set: optionalWorkerSettings,
    });
    const env = processEnv(containerEnv(findObject(objects, 'Deployment', 'eeat-worker-standard')));
    const volume = await mkdtemp(path.join(tmpdir(), 'apexseo-token-'));
    try {
      await writeFile(path.join(volume, 'token'), 'projected-token');
      const worker = loadEeatWorkerConfig(
        {},
        { ...env, APEXSEO_KEY_SERVICE_TOKEN_FILE: path.join(volume, 'token') },
      );
      expect(worker.sdk.llm.openaiBaseUrl).toBe('http://llm-gateway.ai.svc.cluster.local:8080');
      expect(worker.sdk.llm.anthropicBaseUrl).toBe('https://anthropic.example.com');
      expect(worker.privateHosts.permits('staging.apexseo.svc.cluster.local:8080')).toBe(true);
      expect(worker.privateHosts.permits('kubernetes.default.svc:443')).toBe(false);
    } finally {
      await rm(volume, { recursive: true, force: true });
    }
  });

  it.each(profiles)(
    'should never allow the worker pools (%s) to fetch private, loopback or cluster-internal hosts',
    async (profile) => {
      // The allowance is for the demo and tests only: with it, an audit's allowHosts could aim the fetcher at
      // the cluster's own services or the metadata address.
      const objects = await render(chart.dir, { profile, apiVersions: [kedaApi] });
      const pools = objects.filter(
        (o) => o.kind === 'Deployment' && o.metadata.name.startsWith('eeat-worker-'),
      );
      expect(pools.map((o) => o.metadata.name).sort()).toEqual([
        'eeat-worker-priority',
        'eeat-worker-standard',
      ]);
      for (const pool of pools)
        expect(containerEnv(pool).map((e) => e.name)).not.toContain(PRIVATE_HOSTS_ENV);
    },
  );

  it('should pass the Temporal Cloud mTLS files, mounted from the Secret, through to the worker configuration', async () => {
    const objects = await render(chart.dir, {
      profile: 'launch',
      apiVersions: [kedaApi],
      set: ['temporal.auth.mode=mtls', 'temporal.auth.existingSecret=t', 'temporal.auth.caProvided=true'],
    });
    const deployment = findObject(objects, 'Deployment', 'eeat-worker-priority');
    const mounts =
      (
        deployment as unknown as {
          spec: {
            template: { spec: { containers: { volumeMounts: { name: string; mountPath: string }[] }[] } };
          };
        }
      ).spec.template.spec.containers[0]?.volumeMounts ?? [];
    const mount = mounts.find((m) => m.name === 'temporal-auth');
    if (!mount) throw new Error('no temporal-auth volume mount');
    // Stand in for the Secret volume: the files the kubelet would project, at a temporary mount point.
    const volume = await mkdtemp(path.join(tmpdir(), 'apexseo-temporal-auth-'));
    try {
      for (const key of ['tls.crt', 'tls.key', 'ca.crt', 'token'])
        await writeFile(path.join(volume, key), 'PEM');
      const env = Object.fromEntries(
        Object.entries(processEnv(containerEnv(deployment))).map(([k, v]) => [
          k,
          v.startsWith(`${mount.mountPath}/`) ? path.join(volume, v.slice(mount.mountPath.length)) : v,
        ]),
      );
      // The projected worker token, which the worker must be able to read when its configuration loads.
      const config = loadWorkerConfig(
        {},
        { ...env, APEXSEO_KEY_SERVICE_TOKEN_FILE: path.join(volume, 'token') },
      );
      expect(config.temporal.tls).toEqual({
        certFile: path.join(volume, 'tls.crt'),
        keyFile: path.join(volume, 'tls.key'),
        caFile: path.join(volume, 'ca.crt'),
      });
    } finally {
      await rm(volume, { recursive: true, force: true });
    }
  });

  it.each(profiles)(
    'should give the key service (%s) an environment loadKeyServiceConfig accepts',
    async (profile) => {
      const objects = await render(chart.dir, { profile, apiVersions: [kedaApi] });
      const config = loadKeyServiceConfig(
        processEnv(containerEnv(findObject(objects, 'Deployment', 'apexseo-key-service'))),
      );
      expect(config.port).toBe(8080);
      expect(config.metricsPort).toBe(9464);
      expect(config.jwks).toEqual({
        url: 'https://kubernetes.default.svc/openid/v1/jwks',
        caFile: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
        tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
      });
    },
  );

  it("should give the key service rewrap Job an environment loadKeyServiceConfig accepts, like the service's", async () => {
    const objects = await render(chart.dir, { profile: 'launch' });
    const cronJob = findObject(objects, 'CronJob', 'apexseo-key-service-rewrap') as unknown as {
      spec: { jobTemplate: { spec: { template: { spec: { containers: { env: EnvVar[] }[] } } } } };
    };
    const rewrap = processEnv(cronJob.spec.jobTemplate.spec.template.spec.containers[0]?.env ?? []);
    const service = processEnv(containerEnv(findObject(objects, 'Deployment', 'apexseo-key-service')));
    expect(loadKeyServiceConfig(rewrap).kek).toEqual(loadKeyServiceConfig(service).kek);
    expect(rewrap).toEqual(service);
  });

  it('should give the key service migration Job an environment loadPostgresConfig accepts', async () => {
    const objects = await render(chart.dir, { profile: 'launch' });
    const job = processEnv(containerEnv(findObject(objects, 'Job', 'apexseo-key-service-migrate')));
    expect(loadPostgresConfig(job).postgres.host).toBe('apexseo-keys.abcdefghij.us-east-1.rds.amazonaws.com');
  });

  it('should give the key service migration Job the same database settings as the service', async () => {
    const objects = await render(chart.dir, { profile: 'launch' });
    const job = processEnv(containerEnv(findObject(objects, 'Job', 'apexseo-key-service-migrate')));
    const service = processEnv(containerEnv(findObject(objects, 'Deployment', 'apexseo-key-service')));
    const pg = (env: Record<string, string>): Record<string, string> =>
      Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('KEY_SERVICE_PG_')));
    expect(Object.keys(pg(job)).length).toBe(6);
    expect(pg(job)).toEqual(pg(service));
  });
});
