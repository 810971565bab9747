/**
 * The KEDA settings of each worker pool, read from the chart's rendered ScaledObjects (`helm template` of a
 * temporary copy with the dependency subcharts removed, because their archives cannot be downloaded offline),
 * and otherwise from the interface contract in docs/architecture.md with KEDA's documented defaults. The
 * result says which source it came from, so the README never claims a chart render that did not happen.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { z } from 'zod';

export interface PoolScaling {
  readonly pool: 'priority' | 'standard';
  readonly taskQueue: string;
  readonly targetQueueSize: number;
  readonly activationTargetQueueSize: number;
  readonly minReplicaCount: number;
  readonly maxReplicaCount: number;
  readonly pollingIntervalSeconds: number;
  readonly cooldownPeriodSeconds: number;
  readonly scaleDownStabilizationSeconds: number;
  readonly scaleUpPolicies: readonly ScalingPolicy[];
  readonly scaleDownPolicies: readonly ScalingPolicy[];
  readonly queueTypes: readonly string[];
}

export interface ScalingPolicy {
  readonly type: 'Pods' | 'Percent';
  readonly value: number;
  readonly periodSeconds: number;
}

export interface ScalingSettings {
  readonly source: string;
  readonly pools: readonly PoolScaling[];
}

/** KEDA and HPA defaults (keda.sh ScaledObject spec; kube-controller-manager HPA defaults). */
const KEDA_DEFAULTS = {
  pollingInterval: 30,
  cooldownPeriod: 300,
  activation: 0,
  hpaScaleDownWindow: 300,
} as const;
/** The HPA's default behaviour (autoscaling/v2): up by 100 % or 4 pods per 15 s, down by 100 % per 15 s. */
const HPA_DEFAULT_UP: readonly ScalingPolicy[] = [
  { type: 'Percent', value: 100, periodSeconds: 15 },
  { type: 'Pods', value: 4, periodSeconds: 15 },
];
const HPA_DEFAULT_DOWN: readonly ScalingPolicy[] = [{ type: 'Percent', value: 100, periodSeconds: 15 }];

const policySchema = z.object({
  type: z.enum(['Pods', 'Percent']),
  value: z.number(),
  periodSeconds: z.number(),
});
const directionSchema = z
  .object({
    stabilizationWindowSeconds: z.number().int().optional(),
    policies: z.array(policySchema).optional(),
  })
  .optional();

const scaledObjectSchema = z.object({
  kind: z.literal('ScaledObject'),
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    minReplicaCount: z.number().int().optional(),
    maxReplicaCount: z.number().int().optional(),
    pollingInterval: z.number().int().optional(),
    cooldownPeriod: z.number().int().optional(),
    advanced: z
      .object({
        horizontalPodAutoscalerConfig: z
          .object({
            behavior: z.object({ scaleUp: directionSchema, scaleDown: directionSchema }).optional(),
          })
          .optional(),
      })
      .optional(),
    triggers: z.array(
      z.object({
        type: z.string(),
        metadata: z.record(z.string(), z.union([z.string(), z.number()])),
      }),
    ),
  }),
});

function toNumber(value: string | number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : fallback;
}

export function poolFromScaledObject(doc: unknown): PoolScaling | null {
  const parsed = scaledObjectSchema.safeParse(doc);
  if (!parsed.success) return null;
  const so = parsed.data;
  const trigger = so.spec.triggers.find((t) => t.type === 'temporal');
  if (!trigger) return null;
  const taskQueue = String(trigger.metadata.taskQueue ?? '');
  const pool = taskQueue === 'eeat-priority' ? 'priority' : taskQueue === 'eeat-standard' ? 'standard' : null;
  if (!pool) return null;
  const queueTypes = String(trigger.metadata.queueTypes ?? 'workflow,activity,nexus')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    pool,
    taskQueue,
    targetQueueSize: toNumber(trigger.metadata.targetQueueSize, 5),
    activationTargetQueueSize: toNumber(trigger.metadata.activationTargetQueueSize, KEDA_DEFAULTS.activation),
    minReplicaCount: so.spec.minReplicaCount ?? 0,
    maxReplicaCount: so.spec.maxReplicaCount ?? 100,
    pollingIntervalSeconds: so.spec.pollingInterval ?? KEDA_DEFAULTS.pollingInterval,
    cooldownPeriodSeconds: so.spec.cooldownPeriod ?? KEDA_DEFAULTS.cooldownPeriod,
    scaleDownStabilizationSeconds:
      so.spec.advanced?.horizontalPodAutoscalerConfig?.behavior?.scaleDown?.stabilizationWindowSeconds ??
      KEDA_DEFAULTS.hpaScaleDownWindow,
    scaleUpPolicies:
      so.spec.advanced?.horizontalPodAutoscalerConfig?.behavior?.scaleUp?.policies ?? HPA_DEFAULT_UP,
    scaleDownPolicies:
      so.spec.advanced?.horizontalPodAutoscalerConfig?.behavior?.scaleDown?.policies ?? HPA_DEFAULT_DOWN,
    queueTypes,
  };
}

/** Renders the chart's own templates (dependencies removed) with one values file and returns its ScaledObjects. */
export function renderScaledObjects(chartDir: string, valuesFile: string | null): PoolScaling[] {
  const work = mkdtempSync(join(tmpdir(), 'bench-chart-'));
  try {
    const copy = join(work, 'apexseo');
    cpSync(chartDir, copy, { recursive: true });
    rmSync(join(copy, 'charts'), { recursive: true, force: true });
    rmSync(join(copy, 'Chart.lock'), { force: true });
    const chartYaml = parseYaml(readFileSync(join(copy, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
    delete chartYaml.dependencies;
    writeFileSync(join(copy, 'Chart.yaml'), JSON.stringify(chartYaml));
    // The chart requires a recent cluster and, in autoscaler mode `auto`, renders ScaledObjects only where the
    // cluster serves keda.sh/v1alpha1: state both, as a cluster with KEDA installed would.
    const args = [
      'template',
      'apexseo',
      copy,
      '--namespace',
      'apexseo',
      '--kube-version',
      '1.31.0',
      '--api-versions',
      'keda.sh/v1alpha1/ScaledObject',
    ];
    if (valuesFile) args.push('-f', join(copy, valuesFile));
    const out = execFileSync('helm', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return parseAllDocuments(out)
      .map((d) => poolFromScaledObject(d.toJS()))
      .filter((p): p is PoolScaling => p !== null);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const contractPools: readonly PoolScaling[] = [
  {
    pool: 'priority',
    taskQueue: 'eeat-priority',
    targetQueueSize: 5,
    minReplicaCount: 1,
    maxReplicaCount: 10,
  },
  {
    pool: 'standard',
    taskQueue: 'eeat-standard',
    targetQueueSize: 20,
    minReplicaCount: 0,
    maxReplicaCount: 20,
  },
].map((p) => ({
  ...p,
  pool: p.pool as 'priority' | 'standard',
  activationTargetQueueSize: KEDA_DEFAULTS.activation,
  pollingIntervalSeconds: KEDA_DEFAULTS.pollingInterval,
  cooldownPeriodSeconds: KEDA_DEFAULTS.cooldownPeriod,
  scaleDownStabilizationSeconds: KEDA_DEFAULTS.hpaScaleDownWindow,
  scaleUpPolicies: HPA_DEFAULT_UP,
  scaleDownPolicies: HPA_DEFAULT_DOWN,
  queueTypes: ['workflow', 'activity'],
}));

/** Tries each profile's rendered chart, then falls back to the documented contract. */
export function loadScalingSettings(repoRoot: string): ScalingSettings {
  const chartDir = join(repoRoot, 'charts/apexseo');
  const attempts: string[] = [];
  for (const values of ['values-launch.yaml', 'values-optimize.yaml', null]) {
    if (values && !existsSync(join(chartDir, values))) continue;
    if (!existsSync(join(chartDir, 'templates'))) break;
    try {
      const pools = renderScaledObjects(chartDir, values);
      const priority = pools.find((p) => p.pool === 'priority');
      const standard = pools.find((p) => p.pool === 'standard');
      if (priority && standard) {
        return {
          source: `helm template charts/apexseo${values ? ` -f ${values}` : ''} (dependencies removed)`,
          pools: [priority, standard],
        };
      }
      attempts.push(`${values ?? 'values.yaml'}: no ScaledObject for both pools`);
    } catch (error) {
      attempts.push(
        `${values ?? 'values.yaml'}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      );
    }
  }
  return {
    source: `docs/architecture.md contract with KEDA defaults (chart not renderable${attempts.length ? `: ${attempts.join('; ')}` : ''})`,
    pools: contractPools,
  };
}
