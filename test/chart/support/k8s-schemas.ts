import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { kubeVersion, run, toolsDir } from './tools.js';

/**
 * Kubernetes JSON schemas for kubeconform, offline. kubeconform's default location is on the internet, so the
 * schemas come from a package registry instead: the PyPI package `kubernetes-validate` ships the
 * yannh/kubernetes-json-schema style files for each Kubernetes minor. The wheel is pinned by version and sha256.
 * Its "-local" files point their `$ref`s at a shared `_definitions.json` by an absolute path that only its own
 * resolver understands, so each needed kind is rewritten into a standalone schema (its definitions inlined).
 */
const wheel = {
  project: 'kubernetes-validate',
  version: '1.37.0',
  file: 'kubernetes_validate-1.37.0-py3-none-any.whl',
  sha256: '85136d018a27b50ec7fc049d902bfa5193f5976807e6c0f408e3ab6fe078cad9',
};
const variant = `v${kubeVersion}-local-strict`;
const cacheRoot = path.join(toolsDir, 'chart-schemas');
const extractedDir = path.join(cacheRoot, `${wheel.project}-${wheel.version}`, variant);
/** kubeconform `-schema-location` directory of the standalone core schemas. */
export const kubernetesSchemaDir = path.join(cacheRoot, `kubernetes-${kubeVersion}-standalone-strict`);

export class SchemaSetupError extends Error {
  readonly type = 'SCHEMA_SETUP_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'SchemaSetupError';
  }
}

const extractScript = `
import sys, zipfile
wheel, prefix, out = sys.argv[1], sys.argv[2], sys.argv[3]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and name.endswith('.json'):
            with open(out + '/' + name[len(prefix):], 'wb') as f:
                f.write(z.read(name))
`;

/** Downloads (once) the pinned wheel with pip and extracts the pinned Kubernetes version's schemas. */
async function ensureExtracted(): Promise<void> {
  if (existsSync(path.join(extractedDir, '_definitions.json'))) return;
  const download = await mkdtemp(path.join(tmpdir(), 'apexseo-k8s-schemas-'));
  try {
    const pip = await run(
      'python3',
      [
        '-m',
        'pip',
        'download',
        '--no-deps',
        '--disable-pip-version-check',
        '-d',
        download,
        `${wheel.project}==${wheel.version}`,
      ],
      {
        timeoutMs: 600_000,
      },
    );
    if (pip.code !== 0)
      throw new SchemaSetupError(`pip download ${wheel.project}==${wheel.version} failed: ${pip.stderr}`);
    const file = path.join(download, wheel.file);
    const digest = createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
    if (digest !== wheel.sha256)
      throw new SchemaSetupError(`${wheel.file} has sha256 ${digest}, expected ${wheel.sha256}`);
    await mkdir(extractedDir, { recursive: true });
    const unzip = await run('python3', [
      '-c',
      extractScript,
      file,
      `kubernetes_validate/kubernetes-json-schema/${variant}/`,
      extractedDir,
    ]);
    if (unzip.code !== 0) throw new SchemaSetupError(`extracting ${variant} failed: ${unzip.stderr}`);
  } finally {
    await rm(download, { recursive: true, force: true });
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const refPattern = /^(?:\/api\/_definitions\.json)?#\/\$defs\/(.+)$/;

function rewriteRefs(node: Json, found: Set<string>): Json {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, found));
  if (node && typeof node === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(node)) {
      const m = k === '$ref' && typeof v === 'string' ? refPattern.exec(v) : null;
      if (m?.[1]) {
        found.add(m[1]);
        out[k] = `#/$defs/${m[1]}`;
      } else out[k] = rewriteRefs(v, found);
    }
    return out;
  }
  return node;
}

/** Writes standalone schemas for the given file stems (e.g. `deployment-apps-v1`); returns the schema directory. */
export async function ensureKubernetesSchemas(stems: Iterable<string>): Promise<string> {
  await ensureExtracted();
  await mkdir(kubernetesSchemaDir, { recursive: true });
  const definitions = (
    JSON.parse(await readFile(path.join(extractedDir, '_definitions.json'), 'utf8')) as {
      $defs: Record<string, Json>;
    }
  ).$defs;
  const available = new Set(await readdir(extractedDir));
  for (const stem of stems) {
    const target = path.join(kubernetesSchemaDir, `${stem}.json`);
    if (existsSync(target) || !available.has(`${stem}.json`)) continue;
    const refs = new Set<string>();
    const root = rewriteRefs(
      JSON.parse(await readFile(path.join(extractedDir, `${stem}.json`), 'utf8')) as Json,
      refs,
    );
    const defs: Record<string, Json> = {};
    const queue = [...refs];
    while (queue.length > 0) {
      const name = queue.pop() as string;
      if (name in defs) continue;
      const def = definitions[name];
      if (def === undefined) throw new SchemaSetupError(`${stem}: no definition ${name}`);
      const nested = new Set<string>();
      defs[name] = rewriteRefs(def, nested);
      for (const n of nested) if (!(n in defs)) queue.push(n);
    }
    await writeFile(target, JSON.stringify({ ...(root as object), $defs: defs }));
  }
  return kubernetesSchemaDir;
}

/** kubeconform's file stem for a core kind: `<kind>-<first part of group>-<version>` (`-<version>` for the core group). */
export function schemaStem(apiVersion: string, kind: string): string {
  const [groupOrVersion, version] = apiVersion.split('/');
  const suffix = version ? `-${(groupOrVersion ?? '').split('.')[0]}-${version}` : `-${groupOrVersion}`;
  return `${kind.toLowerCase()}${suffix}`;
}
