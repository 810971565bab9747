import { parseObjects } from './render.js';
import { ensureKubernetesSchemas, schemaStem } from './k8s-schemas.js';
import { kubeVersion, run } from './tools.js';

export interface KubeconformSummary {
  valid: number;
  invalid: number;
  errors: number;
  skipped: number;
}

/** Where the custom resources' schemas are: `<dir>/<group>/<Kind>_<version>.json`, for the API groups listed. */
export interface CrdSchemas {
  readonly dir: string;
  readonly groups: ReadonlySet<string>;
}

/**
 * Validates a rendered manifest with kubeconform in strict mode: built-in kinds against the Kubernetes schemas of
 * the chart's `kubeVersion` (fetched once, offline afterwards), custom resources against `crds`.
 */
export async function kubeconform(
  manifest: string,
  crds: CrdSchemas,
): Promise<{ code: number; summary: KubeconformSummary; output: string }> {
  const stems = parseObjects(manifest)
    .filter((o) => !crds.groups.has(o.apiVersion.split('/')[0] ?? ''))
    .map((o) => schemaStem(o.apiVersion, o.kind));
  const k8sSchemas = await ensureKubernetesSchemas(stems);
  const result = await run(
    'kubeconform',
    [
      '-strict',
      '-summary',
      '-output',
      'json',
      '-kubernetes-version',
      kubeVersion,
      '-schema-location',
      `${k8sSchemas}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
      '-schema-location',
      `${crds.dir}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`,
      '-',
    ],
    { input: manifest },
  );
  const parsed = JSON.parse(result.stdout) as { summary: KubeconformSummary };
  return { code: result.code, summary: parsed.summary, output: result.stdout };
}
