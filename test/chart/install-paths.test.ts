/**
 * What a real cluster would hit with the umbrella and its real subcharts: each test renders the chart assembled with
 * the dependency packages and checks the objects the subcharts produce against the ones this chart produces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { assembleChartWithDependencies, type AssembledChart } from './support/chart-with-dependencies.js';
import {
  findObject,
  kedaApi,
  monitoringApi,
  parseObjects,
  render,
  RenderError,
  renderText,
  type K8sObject,
  type RenderOptions,
} from './support/render.js';

let chart: AssembledChart;
let optimize: K8sObject[];
let launch: K8sObject[];

const upgrade = { apiVersions: [kedaApi, monitoringApi] };

beforeAll(async () => {
  chart = await assembleChartWithDependencies();
  optimize = await render(chart.dir, { profile: 'optimize', ...upgrade });
  launch = await render(chart.dir, { profile: 'launch', ...upgrade });
}, 300_000);
afterAll(async () => {
  await chart.remove();
});

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
}
type LabelSelector = {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
};

function podSpec(o: K8sObject): PodSpec | undefined {
  const spec = o.spec as
    { template?: { spec: PodSpec }; jobTemplate?: { spec: { template: { spec: PodSpec } } } } | undefined;
  return spec?.template?.spec ?? spec?.jobTemplate?.spec.template.spec;
}

function selects(selector: LabelSelector, labels: Record<string, string> = {}): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    const value = labels[e.key];
    if (e.operator === 'In') return value !== undefined && (e.values ?? []).includes(value);
    if (e.operator === 'NotIn') return value === undefined || !(e.values ?? []).includes(value);
    if (e.operator === 'Exists') return value !== undefined;
    return value === undefined;
  });
  return byLabels && byExpressions;
}

async function renderFailure(options: RenderOptions): Promise<string> {
  const failure = await renderText(chart.dir, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(failure).toBeInstanceOf(RenderError);
  return (failure as RenderError).stderr;
}

describe('1. the optimize profile installs: no hook needs a shell the image lacks', () => {
  it('should render no Job running a shell in a kubectl image (registry.k8s.io/kubectl is distroless)', () => {
    const shellInKubectl = optimize.flatMap((o) =>
      [...(podSpec(o)?.containers ?? []), ...(podSpec(o)?.initContainers ?? [])]
        .filter((c) => /kubectl/.test(c.image) && /(^|\/)(ba)?sh$/.test(c.command?.[0] ?? ''))
        .map((c) => `${o.kind}/${o.metadata.name} ${c.image}`),
    );
    expect(shellInKubectl).toEqual([]);
  });

  it('should install the Altinity CRDs from the chart crds/ folder instead of the hook', async () => {
    const withCrds = parseObjects(
      await renderText(chart.dir, { profile: 'optimize', extraArgs: ['--include-crds'] }),
    );
    expect(withCrds.map((o) => o.metadata.name)).toContain('clickhouseinstallations.clickhouse.altinity.com');
    expect(
      optimize.filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'crd-install-hook'),
    ).toEqual([]);
  });
});

describe('3. the key service and the workers can be scraped by the bundled Prometheus', () => {
  const policies = ['apexseo-key-service', 'apexseo-workers'];
  it.each(policies)('should admit the Prometheus pods of the release namespace in %s', (name) => {
    const prometheus = optimize.find((o) => o.kind === 'Prometheus');
    expect(prometheus?.metadata.namespace).toBe('apexseo');
    const podLabels = (prometheus?.spec as { podMetadata?: { labels?: Record<string, string> } }).podMetadata
      ?.labels;
    expect(podLabels).toBeDefined();
    const policy = findObject(optimize, 'NetworkPolicy', name);
    expect(policy.metadata.namespace).toBe(prometheus?.metadata.namespace);
    const rules = (
      policy.spec as {
        ingress: {
          ports: { port: string }[];
          from: { podSelector?: LabelSelector; namespaceSelector?: unknown }[];
        }[];
      }
    ).ingress;
    const metricsRule = rules.find((r) => r.ports.some((p) => p.port === 'metrics'));
    // A podSelector without a namespaceSelector admits pods of the policy's own namespace.
    const admitted = metricsRule?.from.some(
      (peer) => peer.podSelector && !peer.namespaceSelector && selects(peer.podSelector, podLabels),
    );
    expect(admitted).toBe(true);
  });
});

describe('4. KEDA exports the backlog it reads and the bundled Prometheus scrapes it', () => {
  it('should scrape keda_scaler_metrics_value from the KEDA operator', () => {
    const operator = findObject(optimize, 'Deployment', 'keda-operator');
    const container = podSpec(operator)?.containers[0];
    expect(container?.args ?? []).toEqual(
      expect.arrayContaining([expect.stringMatching(/metrics-bind-address/)]),
    );
    const monitor = optimize.find(
      (o) =>
        o.kind === 'ServiceMonitor' &&
        selects(
          (o.spec as { selector: LabelSelector }).selector,
          findObject(optimize, 'Service', 'keda-operator').metadata.labels,
        ),
    );
    expect(monitor?.metadata.name).toBe('keda-operator');
    const prometheus = optimize.find((o) => o.kind === 'Prometheus');
    const selector = (prometheus?.spec as { serviceMonitorSelector: LabelSelector }).serviceMonitorSelector;
    expect(selects(selector, monitor?.metadata.labels)).toBe(true);
    // The series the alert and the dashboard read.
    const rule = findObject(optimize, 'PrometheusRule', 'apexseo');
    expect(JSON.stringify(rule.spec)).toContain('keda_scaler_metrics_value');
  });
});

describe('5. the in-cluster Temporal server gets the namespace the workers use', () => {
  it('should run the Temporal chart job that creates temporal.namespace', () => {
    const job = launch.find((o) => o.kind === 'Job' && o.metadata.name.includes('temporal-namespace'));
    expect(job, 'no namespace Job of the Temporal chart').toBeDefined();
    const commands = (podSpec(job as K8sObject)?.initContainers ?? []).flatMap((c) => c.args ?? []);
    expect(commands.join(' ')).toMatch(/temporal operator namespace create -n apexseo\b/);
  });

  it('should fail the render naming the values when temporal.namespace is not created', async () => {
    const stderr = await renderFailure({
      profile: 'launch',
      set: ['temporal.namespace=audits'],
    });
    expect(stderr).toContain(
      'temporalServer.server.config.namespaces must create temporal.namespace (audits)',
    );
  });
});

describe("6. the Altinity operator's ClickHouse credentials are not the chart's well-known default", () => {
  const defaultPassword = Buffer.from('clickhouse_operator_password').toString('base64');

  it('should render no Secret holding the default password, and point the operator at an existing Secret', () => {
    const secrets = optimize.filter((o) => o.kind === 'Secret');
    expect(secrets.filter((s) => JSON.stringify(s).includes(defaultPassword))).toEqual([]);
    const files = optimize.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('clickhouse-operator-files'),
    );
    const config = (files?.data as Record<string, string>)['config.yaml'] ?? '';
    const parsed = parseAllDocuments(config)[0]?.toJS() as {
      clickhouse: { access: { secret: { name: string } } };
    };
    expect(parsed.clickhouse.access.secret.name).toBe('apexseo-clickhouse-operator');
  });

  it('should refuse to render the chart Secret with the default password', async () => {
    const stderr = await renderFailure({
      profile: 'optimize',
      set: ['altinity-clickhouse-operator.secret.create=true'],
    });
    expect(stderr).toContain('altinity-clickhouse-operator.secret.create');
  });
});

describe('7. values a real install must supply fail the render naming the field', () => {
  it.each([
    ['stores.clickhouse.url', 'launch'],
    ['stores.neo4j.url', 'launch'],
    ['temporal.address', 'launch'],
    ['keyService.postgres.host', 'optimize'],
  ] as const)('should fail when %s is null or empty', async (field, profile) => {
    const parts = field.split('.');
    // The template's `required` message, or the schema's for a key that null removed.
    const named = [
      `${field} is required`,
      `at '/${parts.slice(0, -1).join('/')}': missing property '${parts.at(-1)}'`,
    ];
    for (const set of [`${field}=null`, `${field}=`]) {
      const stderr = await renderFailure({ profile, set: [set] });
      expect(
        named.some((message) => stderr.includes(message)),
        `${set}: ${stderr}`,
      ).toBe(true);
    }
  });
});

describe('8. monitors, rules and dashboards are picked up', () => {
  it('should select every ServiceMonitor, PodMonitor and PrometheusRule of the release', () => {
    const spec = optimize.find((o) => o.kind === 'Prometheus')?.spec as Record<string, LabelSelector>;
    const selectorOf = {
      ServiceMonitor: 'serviceMonitor',
      PodMonitor: 'podMonitor',
      PrometheusRule: 'rule',
    } as const;
    const monitors = optimize.filter((o) => o.kind in selectorOf);
    expect(monitors.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(
      expect.arrayContaining([
        'PodMonitor/apexseo-workers',
        'ServiceMonitor/apexseo-key-service',
        'PrometheusRule/apexseo',
        'ServiceMonitor/keda-operator',
      ]),
    );
    for (const o of monitors) {
      const prefix = selectorOf[o.kind as keyof typeof selectorOf];
      expect(spec[`${prefix}NamespaceSelector`], o.kind).toEqual({});
      expect(
        selects(spec[`${prefix}Selector`] ?? {}, o.metadata.labels),
        `${o.kind}/${o.metadata.name}`,
      ).toBe(true);
    }
  });

  it("should label the dashboards for the bundled Grafana's sidecar and put them in their folder", () => {
    const grafana = findObject(optimize, 'Deployment', 'apexseo-grafana');
    const sidecar = podSpec(grafana)?.containers.find((c) => c.name === 'grafana-sc-dashboard');
    const env = Object.fromEntries((sidecar?.env ?? []).map((e) => [e.name, e.value]));
    const dashboard = findObject(optimize, 'ConfigMap', 'apexseo-dashboard-apexseo-workers');
    expect(dashboard.metadata.labels?.[env.LABEL ?? '']).toBe(env.LABEL_VALUE);
    expect(env.NAMESPACE).toBe('ALL');
    expect(dashboard.metadata.annotations?.[env.FOLDER_ANNOTATION ?? '']).toBe('ApexSEO');
    const provider = findObject(optimize, 'ConfigMap', 'apexseo-grafana-config-dashboards');
    expect(JSON.stringify(provider.data)).toContain('foldersFromFilesStructure: true');
  });

  it('should give a separately installed stack one release label, the one monitoring.selectorLabels sets', async () => {
    const manifest = await renderText(chart.dir, {
      profile: 'launch',
      ...upgrade,
      set: ['monitoring.selectorLabels.release=prometheus-stack', 'monitoring.selectorLabels.team=seo'],
    });
    // parseAllDocuments reports a duplicate key as an error instead of keeping the last one.
    const errors = parseAllDocuments(manifest).flatMap((d) => d.errors.map((e) => e.message));
    expect(errors).toEqual([]);
    const monitors = parseObjects(manifest).filter((o) => /Monitor|PrometheusRule/.test(o.kind));
    expect(monitors.length).toBe(3);
    for (const o of monitors)
      expect(o.metadata.labels).toMatchObject({ release: 'prometheus-stack', team: 'seo' });
  });
});

describe('2. the HPA fallback hands over to KEDA on upgrade (KEDA 2.20.2 webhook)', () => {
  it('should name the fallback HPA in each ScaledObject and ask KEDA to take it over', async () => {
    const firstInstall = await render(chart.dir, { profile: 'launch' });
    const hpas = firstInstall.filter((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.metadata.name).sort()).toEqual(['eeat-worker-priority', 'eeat-worker-standard']);
    for (const hpa of hpas) {
      const so = findObject(launch, 'ScaledObject', hpa.metadata.name);
      const target = (hpa.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name;
      expect((so.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name).toBe(target);
      // KEDA's verifyHpas admits a ScaledObject over a Deployment another HPA scales only with both of these.
      expect(so.metadata.annotations?.['scaledobject.keda.sh/transfer-hpa-ownership']).toBe('true');
      const advanced = (so.spec as { advanced: { horizontalPodAutoscalerConfig: { name?: string } } })
        .advanced;
      expect(advanced.horizontalPodAutoscalerConfig.name).toBe(hpa.metadata.name);
    }
  });
});
