import type { KubeApi } from '../../harness/cluster/kube-api.js';

interface ResourceList {
  groupVersion: string;
  resources: { name: string; namespaced: boolean; kind: string; verbs: string[] }[];
}

/** Kinds that record what happened rather than what exists. */
const ephemeralKinds = new Set(['Event', 'Lease', 'EndpointSlice', 'Endpoints']);

async function groupVersions(api: KubeApi): Promise<string[]> {
  const core = await api.get<{ versions: string[] }>('/api');
  const groups = await api.get<{ groups: { preferredVersion: { groupVersion: string } }[] }>('/apis');
  return [...core.versions.map((v) => v), ...groups.groups.map((g) => g.preferredVersion.groupVersion)];
}

/**
 * Every object in namespace `ns` and every cluster-scoped object, as `Kind namespace/name` strings, found through
 * the API's discovery (so CRDs, APIServices, webhook configurations and whatever KEDA creates are all seen).
 * Events, Leases and endpoint bookkeeping are left out: the control plane writes and expires them on its own.
 */
export async function snapshotObjects(api: KubeApi, ns: string): Promise<Set<string>> {
  const found = new Set<string>();
  for (const groupVersion of await groupVersions(api)) {
    const base = groupVersion === 'v1' ? '/api/v1' : `/apis/${groupVersion}`;
    const list = await api.find<ResourceList>(base);
    for (const resource of list?.resources ?? []) {
      if (
        resource.name.includes('/') ||
        !resource.verbs.includes('list') ||
        ephemeralKinds.has(resource.kind)
      )
        continue;
      const path = resource.namespaced
        ? `${base}/namespaces/${ns}/${resource.name}`
        : `${base}/${resource.name}`;
      const items = await api
        .get<{ items: { metadata: { name: string; namespace?: string } }[] }>(path)
        .catch(() => ({ items: [] }));
      for (const item of items.items)
        found.add(`${resource.kind} ${item.metadata.namespace ?? ''}/${item.metadata.name}`);
    }
  }
  return found;
}

/** Objects present now that were not before the release was installed. */
export async function objectsOfRelease(
  api: KubeApi,
  ns: string,
  before: ReadonlySet<string>,
): Promise<string[]> {
  const now = await snapshotObjects(api, ns);
  return [...now].filter((object) => !before.has(object)).sort();
}
