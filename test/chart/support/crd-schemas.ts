import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { crdFixtureDir, toolsDir } from './tools.js';

/**
 * Converts the CustomResourceDefinitions in test/chart/fixtures/crds into strict JSON Schemas for kubeconform, one file per
 * served version at `<group>/<kind>_<version>.json` (kubeconform: `{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`).
 * The same conversion as kubeconform's openapi2jsonschema.py in strict mode: objects that list their properties
 * refuse unknown ones unless the CRD says `x-kubernetes-preserve-unknown-fields`; `x-kubernetes-int-or-string`
 * and `nullable` become JSON Schema types.
 */
export const crdSchemaDir = path.join(toolsDir, 'chart-schemas', 'crds');

type Schema = { [key: string]: unknown };

export function strictSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node as Schema)) out[k] = strictSchema(v);
  if (out['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.oneOf = [{ type: 'string' }, { type: 'integer' }];
  }
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (
    out.properties &&
    out.additionalProperties === undefined &&
    out['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

export interface Crd {
  kind: string;
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; served: boolean; schema?: { openAPIV3Schema?: Schema } }[];
  };
}

/**
 * Writes every served version's schema of the given CRDs under `dir` (default: crdSchemaDir); returns the kinds
 * converted as `group/Kind/version`.
 */
export async function convertCrds(crds: readonly Crd[], dir = crdSchemaDir): Promise<string[]> {
  const converted: string[] = [];
  for (const crd of crds) {
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      const schema = version.schema?.openAPIV3Schema;
      if (!schema) throw new Error(`${crd.spec.names.kind} ${version.name} has no openAPIV3Schema`);
      const groupDir = path.join(dir, crd.spec.group);
      await mkdir(groupDir, { recursive: true });
      await writeFile(
        path.join(groupDir, `${crd.spec.names.kind.toLowerCase()}_${version.name}.json`),
        JSON.stringify(strictSchema(schema)),
      );
      converted.push(`${crd.spec.group}/${crd.spec.names.kind}/${version.name}`);
    }
  }
  return converted;
}

/** Converts the CRDs in test/chart/fixtures/crds; returns the kinds converted as `group/Kind/version`. */
export async function convertSharedCrds(): Promise<string[]> {
  const crds: Crd[] = [];
  for (const file of (await readdir(crdFixtureDir)).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(await readFile(path.join(crdFixtureDir, file), 'utf8'))) {
      const crd = doc.toJS() as Crd | null;
      if (crd?.kind === 'CustomResourceDefinition') crds.push(crd);
    }
  }
  return convertCrds(crds);
}
