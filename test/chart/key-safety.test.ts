import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { copyChartWithoutDependencies, type ChartCopy } from './support/chart-copy.js';
import {
  kedaApi,
  monitoringApi,
  profiles,
  render,
  RenderError,
  renderText,
  type K8sObject,
} from './support/render.js';
import { chartDir } from './support/tools.js';

/** Shaped like real provider keys (OpenAI project key, Anthropic key) so a pattern scan would catch a leak. */
const plantedKey = 'sk-proj-PLANTEDkey0123456789abcdefXYZ';
const llmKeyPattern = /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}/;
const llmKeyEnvName = /(OPENAI|ANTHROPIC|LLM)|(^|_)API_KEY$/;

/** Blocks passed to subcharts: their keys are the subcharts' business, not paths into this chart's objects. */
const subchartBlocks = new Set([
  'global',
  'keda',
  'kube-prometheus-stack',
  'altinity-clickhouse-operator',
  'neo4j',
  'temporalServer',
]);
/** Free-form maps of this chart: each must land only in object metadata or selectors, never in a container. */
const freeFormMaps = [
  'commonLabels',
  'workers.podAnnotations',
  'workers.pools.priority.nodeSelector',
  'workers.pools.standard.nodeSelector',
  'keyService.serviceAccount.annotations',
  'keyService.networkPolicy.appBackendPodLabels',
  'keyService.networkPolicy.appBackendNamespaceLabels',
  'monitoring.selectorLabels',
  'monitoring.scraperPodLabels',
  'monitoring.scraperNamespaceLabels',
  'storageClass.parameters',
];
/** Where a free-form map's value may appear in a rendered object. */
const harmlessPlaces = [
  /\/metadata\/(labels|annotations)\//,
  /\/nodeSelector\//,
  /\/matchLabels\//,
  /^\/parameters\//,
];

let chart: ChartCopy;
beforeAll(async () => {
  chart = await copyChartWithoutDependencies();
});
afterAll(async () => {
  await chart.remove();
});

/** JSON-pointer-like paths of every string in an object that satisfies `match`. */
function stringsWhere(value: unknown, match: (s: string) => boolean, at = ''): string[] {
  if (typeof value === 'string') return match(value) ? [at] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsWhere(v, match, `${at}/${i}`));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => stringsWhere(v, match, `${at}/${k}`));
  return [];
}

function envNames(objects: readonly K8sObject[]): string[] {
  const names: string[] = [];
  const visit = (value: unknown, key: string): void => {
    if (Array.isArray(value)) {
      if (key === 'env') for (const e of value as { name?: string }[]) if (e.name) names.push(e.name);
      value.forEach((v) => visit(v, ''));
    } else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  objects.forEach((o) => visit(o, ''));
  return names;
}

/** Every map-valued path of values.yaml that belongs to this chart (dotted, for --set). */
function objectPaths(value: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, sub] of Object.entries(value)) {
    if (prefix === '' && subchartBlocks.has(key)) continue;
    if (sub && typeof sub === 'object' && !Array.isArray(sub)) {
      out.push(`${prefix}${key}`, ...objectPaths(sub as Record<string, unknown>, `${prefix}${key}.`));
    }
  }
  return out;
}

const variants = [
  ...profiles.map((profile) => ({ name: profile, profile, set: [] as string[] })),
  ...profiles.map((profile) => ({
    name: `${profile} with Temporal Cloud API key`,
    profile,
    set: ['temporal.auth.mode=apiKey', 'temporal.auth.existingSecret=temporal-cloud'],
  })),
];

describe('no LLM key path in the rendered chart', () => {
  it.each(variants)(
    'should render no LLM-key-shaped value, no LLM key env var and no Secret ($name)',
    async ({ profile, set }) => {
      const objects = await render(chart.dir, { profile, set, apiVersions: [kedaApi, monitoringApi] });
      expect(objects.length).toBeGreaterThan(10);
      expect(
        objects.flatMap((o) => stringsWhere(o, (s) => llmKeyPattern.test(s), `${o.kind}/${o.metadata.name}`)),
      ).toEqual([]);
      expect(envNames(objects).filter((n) => llmKeyEnvName.test(n))).toEqual([]);
      expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    },
  );

  it("should reject a planted key under every object of this chart's values, naming the object", async () => {
    const values = parseDocument(await readFile(path.join(chartDir, 'values.yaml'), 'utf8')).toJS() as Record<
      string,
      unknown
    >;
    const strictPaths = objectPaths(values).filter((p) => !freeFormMaps.includes(p));
    expect(strictPaths.length).toBeGreaterThan(30);
    const error = await renderText(chart.dir, {
      profile: 'launch',
      set: strictPaths.map((p) => `${p}.llmApiKey=${plantedKey}`),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RenderError);
    const stderr = (error as RenderError).stderr;
    const unnamed = strictPaths.filter((p) => !stderr.includes(`at '/${p.replaceAll('.', '/')}'`));
    expect(unnamed).toEqual([]);
  });

  it.each(freeFormMaps)(
    'should let a value planted in %s reach only metadata and selectors',
    async (mapPath) => {
      const objects = await render(chart.dir, {
        profile: 'optimize',
        set: [`${mapPath}.planted=${plantedKey}`],
        apiVersions: [kedaApi, monitoringApi],
      });
      const places = objects.flatMap((o) => stringsWhere(o, (s) => s.includes(plantedKey)));
      expect(places.length).toBeGreaterThan(0);
      expect(places.filter((p) => !harmlessPlaces.some((re) => re.test(p)))).toEqual([]);
    },
  );

  it('should give each worker only the projected key-service token, with the key service audience', async () => {
    const objects = await render(chart.dir, { profile: 'launch', apiVersions: [kedaApi] });
    const workers = objects.filter(
      (o) => o.kind === 'Deployment' && o.metadata.name.startsWith('eeat-worker-'),
    );
    expect(workers).toHaveLength(2);
    for (const worker of workers) {
      const pod = (worker as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
      expect(pod.automountServiceAccountToken).toBe(false);
      const tokens = pod.volumes
        .flatMap((v) => v.projected?.sources ?? [])
        .flatMap((s) => (s.serviceAccountToken ? [s.serviceAccountToken] : []));
      expect(tokens).toEqual([{ audience: 'apexseo-key-service', expirationSeconds: 3600, path: 'token' }]);
    }
  });
});

interface PodSpec {
  automountServiceAccountToken?: boolean;
  volumes: { projected?: { sources: { serviceAccountToken?: Record<string, unknown> }[] } }[];
}
