import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { kubeVersion, run } from './tools.js';

/** A rendered Kubernetes object, as far as the tests look into it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export const profiles = ['launch', 'optimize'] as const;
export type Profile = (typeof profiles)[number];

/** API groups a real cluster serves once KEDA and the Prometheus Operator are installed. */
export const kedaApi = 'keda.sh/v1alpha1/ScaledObject';
export const monitoringApi = 'monitoring.coreos.com/v1/ServiceMonitor';

export interface RenderOptions {
  profile?: Profile;
  valuesFiles?: string[];
  set?: string[];
  apiVersions?: string[];
  namespace?: string;
  /** Further `helm template` arguments (e.g. `--include-crds`). */
  extraArgs?: string[];
}

export class RenderError extends Error {
  readonly type = 'RENDER_FAILED';
  constructor(readonly stderr: string) {
    super(`helm template failed: ${stderr}`);
    this.name = 'RenderError';
  }
}

export function templateArgs(chart: string, options: RenderOptions): string[] {
  const args = [
    'template',
    'apexseo',
    chart,
    '--namespace',
    options.namespace ?? 'apexseo',
    '--kube-version',
    kubeVersion,
  ];
  if (options.profile) args.push('-f', path.join(chart, `values-${options.profile}.yaml`));
  for (const file of options.valuesFiles ?? []) args.push('-f', file);
  for (const s of options.set ?? []) args.push('--set', s);
  for (const api of options.apiVersions ?? []) args.push('--api-versions', api);
  args.push(...(options.extraArgs ?? []));
  return args;
}

/** `helm template` output as text; throws RenderError with Helm's message when rendering fails. */
export async function renderText(chart: string, options: RenderOptions = {}): Promise<string> {
  const result = await run('helm', templateArgs(chart, options));
  if (result.code !== 0) throw new RenderError(result.stderr);
  return result.stdout;
}

export function parseObjects(manifest: string): K8sObject[] {
  return parseAllDocuments(manifest)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((obj): obj is K8sObject => obj !== null && typeof obj === 'object');
}

export async function render(chart: string, options: RenderOptions = {}): Promise<K8sObject[]> {
  return parseObjects(await renderText(chart, options));
}

export function findObject(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found)
    throw new Error(
      `no ${kind}/${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`,
    );
  return found;
}
