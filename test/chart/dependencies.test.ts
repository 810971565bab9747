import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  assembleChartWithDependencies,
  MissingDependencyPackageError,
  upstreamChartsDir,
  type AssembledChart,
} from './support/chart-with-dependencies.js';
import { convertCrds, type Crd } from './support/crd-schemas.js';
import { kubeconform } from './support/kubeconform.js';
import {
  kedaApi,
  monitoringApi,
  parseObjects,
  profiles,
  renderText,
  type K8sObject,
} from './support/render.js';
import { chartDir, kubeVersion, run, toolEnv, toolsDir } from './support/tools.js';

interface ChartYaml {
  dependencies: { name: string; version: string; repository: string }[];
}

let chart: AssembledChart;
/** JSON schemas of every CRD the dependencies ship (crds/ folders and KEDA's templated CRDs). */
const crdDir = path.join(toolsDir, 'chart-schemas', 'dependency-crds');
let crdGroups: Set<string>;

beforeAll(async () => {
  chart = await assembleChartWithDependencies();
  // The optimize profile enables every dependency that ships CRDs; --include-crds adds their crds/ folders.
  const crds = parseObjects(
    await renderText(chart.dir, { profile: 'optimize', extraArgs: ['--include-crds'] }),
  ).filter((o): o is K8sObject & Crd => o.kind === 'CustomResourceDefinition');
  const converted = await convertCrds(crds, crdDir);
  crdGroups = new Set(converted.map((kind) => kind.split('/')[0] ?? ''));
}, 300_000);
afterAll(async () => {
  await chart.remove();
});

describe('the chart assembled with its dependency packages', () => {
  it('should hold one package per dependency of Chart.yaml', async () => {
    const pinned = parse(await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8')) as ChartYaml;
    expect(pinned.dependencies.map((d) => d.name).sort()).toEqual(
      ['altinity-clickhouse-operator', 'keda', 'kube-prometheus-stack', 'neo4j', 'temporal'].sort(),
    );
    expect((await readdir(path.join(chart.dir, 'charts'))).sort()).toEqual([...chart.packages].sort());
    expect(chart.packages).toHaveLength(pinned.dependencies.length);
  });

  it('should rewrite only the neo4j version, 5.26.21 to the packaged 5.17.0, and say so', async () => {
    const pinned = parse(await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8')) as ChartYaml;
    const copied = parse(await readFile(path.join(chart.dir, 'Chart.yaml'), 'utf8')) as ChartYaml;
    const changed = copied.dependencies.filter(
      (dep, i) => JSON.stringify(dep) !== JSON.stringify(pinned.dependencies[i]),
    );
    expect(changed).toEqual([
      expect.objectContaining({
        name: 'neo4j',
        version: '5.17.0',
        repository: 'https://helm.neo4j.com/neo4j',
      }),
    ]);
    expect(pinned.dependencies.find((d) => d.name === 'neo4j')?.version).toBe('5.26.21');
    expect(chart.substitutions).toEqual([
      expect.stringMatching(/^neo4j: Chart\.yaml pins 5\.26\.21 .* 5\.17\.0$/),
    ]);
  });

  it('should satisfy helm: every dependency present at the version Chart.yaml asks for', async () => {
    const result = await run('helm', ['dependency', 'list', chart.dir]);
    expect(result.code, result.stderr).toBe(0);
    const rows = result.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t').map((cell) => cell.trim()));
    expect(rows).toHaveLength(5);
    for (const row of rows) expect(row[3], row.join(' ')).toBe('ok');
  });

  it('should name the dependency and the folder when a package is missing', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'apexseo-no-packages-'));
    try {
      const failure = assembleChartWithDependencies({ packagesDir: empty });
      await expect(failure).rejects.toBeInstanceOf(MissingDependencyPackageError);
      await expect(failure).rejects.toThrow(`dependency keda: no keda-2.20.2.tgz in ${empty}`);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('should print the chart folder last on stdout from the command line', async () => {
    const dest = await mkdtemp(path.join(tmpdir(), 'apexseo-cli-'));
    try {
      const result = await run('tsx', ['test/chart/tools/assemble-chart.ts', dest]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout.trim().split('\n').at(-1)).toBe(path.join(dest, 'apexseo'));
      expect(result.stderr).toContain('version rewritten: neo4j: Chart.yaml pins 5.26.21');
      expect(result.stderr).toContain(upstreamChartsDir);
      expect((await readdir(path.join(dest, 'apexseo', 'charts'))).length).toBe(5);
    } finally {
      await rm(dest, { recursive: true, force: true });
    }
  });
});

/** A first install into an empty cluster, and an upgrade once KEDA and the Prometheus Operator serve their APIs. */
const stages = [
  { stage: 'first install', apiVersions: [] },
  { stage: 'upgrade', apiVersions: [kedaApi, monitoringApi] },
] as const;
const renders = profiles.flatMap((profile) => stages.map((s) => ({ profile, ...s })));

describe('both profiles with every dependency', () => {
  it.each(profiles)('should pass helm lint --strict with the %s profile', async (profile) => {
    const result = await run('helm', [
      'lint',
      '--strict',
      chart.dir,
      '-f',
      path.join(chart.dir, `values-${profile}.yaml`),
      '--kube-version',
      kubeVersion,
    ]);
    expect(result.stdout + result.stderr).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.stdout + result.stderr).not.toContain('missing these dependencies');
    expect(result.code).toBe(0);
  });

  it.each(renders)(
    'should render the $profile profile ($stage) with the subcharts and validate every object strictly',
    async ({ profile, apiVersions }) => {
      const manifest = await renderText(chart.dir, { profile, apiVersions: [...apiVersions] });
      const objects = parseObjects(manifest);
      // Subchart objects are there: KEDA's operator in both profiles, the stack's Prometheus in optimize.
      expect(objects.some((o) => o.kind === 'Deployment' && o.metadata.name === 'keda-operator')).toBe(true);
      expect(objects.some((o) => o.kind === 'Prometheus')).toBe(profile === 'optimize');
      const { code, summary, output } = await kubeconform(manifest, { dir: crdDir, groups: crdGroups });
      expect(summary, output).toEqual({ valid: objects.length, invalid: 0, errors: 0, skipped: 0 });
      expect(code).toBe(0);
    },
    300_000,
  );

  it('should reject a subchart object with a field its CRD does not know', async () => {
    const manifest = await renderText(chart.dir, { profile: 'optimize' });
    const broken = manifest.replace(/(^kind: Prometheus\n[\s\S]*?\nspec:\n)/m, '$1  replicaz: 1\n');
    expect(broken).not.toBe(manifest);
    const { summary } = await kubeconform(broken, { dir: crdDir, groups: crdGroups });
    expect(summary.invalid).toBe(1);
  }, 300_000);
});

/** The subchart each values section goes to (the Temporal server chart is aliased). */
const sections = {
  keda: 'keda',
  'kube-prometheus-stack': 'kube-prometheus-stack',
  'altinity-clickhouse-operator': 'altinity-clickhouse-operator',
  neo4j: 'neo4j',
  temporalServer: 'temporal',
} as const;

type Values = Record<string, unknown>;
const isMap = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

function deepMerge(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const below = out[key];
    out[key] = isMap(below) && isMap(value) ? deepMerge(below, value) : value;
  }
  return out;
}

/** A subchart's default values, and those of the charts bundled inside it (kube-prometheus-stack's grafana, ...). */
async function subchartValues(chartPath: string): Promise<Values> {
  const values = (parse(await readFile(path.join(chartPath, 'values.yaml'), 'utf8')) ?? {}) as Values;
  const nested = path.join(chartPath, 'charts');
  for (const name of await readdir(nested).catch(() => [] as string[])) {
    const own = values[name];
    values[name] = deepMerge(await subchartValues(path.join(nested, name)), isMap(own) ? own : {});
  }
  return values;
}

/**
 * Keys set under a subchart's section that the subchart does not have: a key is known when the subchart's default
 * values have it, or when it sits under a default that is an empty map or null (a free-form map such as labels).
 */
function unknownKeys(set: Values, defaults: Values, prefix: string): string[] {
  return Object.entries(set).flatMap(([key, value]) => {
    const where = `${prefix}.${key}`;
    if (!(key in defaults)) return [where];
    const known = defaults[key];
    if (known === null || (isMap(known) && Object.keys(known).length === 0)) return [];
    return isMap(value) && isMap(known) ? unknownKeys(value, known, where) : [];
  });
}

async function unpackedSubcharts(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'apexseo-subcharts-'));
  for (const pkg of chart.packages) {
    const result = await run('tar', ['-xzf', path.join(chart.dir, 'charts', pkg), '-C', dir]);
    expect(result.code, result.stderr).toBe(0);
  }
  return dir;
}

describe('values this chart passes to its subcharts', () => {
  let unpacked: string;
  beforeAll(async () => {
    unpacked = await unpackedSubcharts();
  });
  afterAll(async () => {
    await rm(unpacked, { recursive: true, force: true });
  });

  async function unknownIn(values: Values): Promise<string[]> {
    const unknown: string[] = [];
    for (const [section, subchart] of Object.entries(sections)) {
      // `enabled` is this chart's condition for the dependency, not a subchart value.
      const set = Object.fromEntries(
        Object.entries((values[section] ?? {}) as Values).filter(([k]) => k !== 'enabled'),
      );
      unknown.push(...unknownKeys(set, await subchartValues(path.join(unpacked, subchart)), section));
    }
    return unknown;
  }

  it.each(['values.yaml', 'values-launch.yaml', 'values-optimize.yaml'])(
    'should set only keys the subcharts have in %s',
    async (file) => {
      const values = parse(await readFile(path.join(chartDir, file), 'utf8')) as Values;
      expect(await unknownIn(values)).toEqual([]);
    },
  );

  it('should find a misspelt subchart key that Helm renders silently', async () => {
    const values = { neo4j: { neo4j: { pasword: 'x', name: 'db' } } };
    expect(await unknownIn(values)).toEqual(['neo4j.neo4j.pasword']);
    // Helm itself accepts it: the Neo4j chart ships no values.schema.json.
    await expect(
      renderText(chart.dir, { profile: 'optimize', set: ['neo4j.neo4j.pasword=x'] }),
    ).resolves.toContain('kind: StatefulSet');
  });

  it("should have Helm check a subchart's own values.schema.json (Altinity ships one)", async () => {
    const failure = renderText(chart.dir, {
      profile: 'optimize',
      set: ['altinity-clickhouse-operator.imagePullSecrets=none'],
    });
    await expect(failure).rejects.toThrow(/altinity-clickhouse-operator[\s\S]*imagePullSecrets/);
  });
});

describe('Chart.lock', () => {
  /** `helm dependency build` of a copy, with no chart repository configured (none is reachable here). */
  async function dependencyBuild(lock?: (text: string) => string): Promise<string> {
    const root = await mkdtemp(path.join(tmpdir(), 'apexseo-lock-'));
    try {
      const dir = path.join(root, 'apexseo');
      await cp(chartDir, dir, {
        recursive: true,
        filter: (src) => path.relative(chartDir, src) !== 'charts',
      });
      if (lock) {
        const file = path.join(dir, 'Chart.lock');
        await writeFile(file, lock(await readFile(file, 'utf8')));
      }
      const result = await run('helm', ['dependency', 'build', dir], {
        env: {
          ...toolEnv(),
          HELM_REPOSITORY_CONFIG: path.join(root, 'repositories.yaml'),
          HELM_REPOSITORY_CACHE: path.join(root, 'cache'),
        },
      });
      expect(result.code).not.toBe(0);
      return result.stderr;
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }

  it('should be in sync with Chart.yaml: helm goes on to fetch the locked versions', async () => {
    const stderr = await dependencyBuild();
    expect(stderr).not.toContain('out of sync');
    expect(stderr).toContain('no repository definition for https://kedacore.github.io/charts');
  });

  it('should be refused by helm once it no longer matches Chart.yaml', async () => {
    const stderr = await dependencyBuild((text) => text.replace('version: 2.20.2', 'version: 2.20.1'));
    expect(stderr).toContain(
      'the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml)',
    );
  });
});
