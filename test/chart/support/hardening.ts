import { run } from './tools.js';

/** One failed check on one object: `id` is `checkov:<check id>` or `kube-score:<check id>`. */
export interface Finding {
  id: string;
  /** `Kind/name` of the object, and the manifest file it came from. */
  object: string;
  file: string;
}

interface CheckovReport {
  results: { failed_checks: { check_id: string; resource: string; file_path: string }[] };
}

/**
 * checkov's Kubernetes checks. Offline: `--skip-download` keeps it from fetching guidelines from its vendor's
 * platform; no API key is set, so nothing is uploaded.
 */
async function checkov(files: readonly string[]): Promise<Finding[]> {
  const args = ['--framework', 'kubernetes', '--output', 'json', '--quiet', '--compact', '--skip-download'];
  for (const file of files) args.push('--file', file);
  const result = await run('checkov', args, { timeoutMs: 600_000 });
  // Exit code 1 means "checks failed"; anything else is a checkov failure.
  if (result.code > 1 || (!result.stdout.trim().startsWith('{') && !result.stdout.trim().startsWith('[')))
    throw new Error(`checkov failed (${result.code}): ${result.stderr}${result.stdout.slice(0, 2000)}`);
  const parsed = JSON.parse(result.stdout) as CheckovReport | CheckovReport[];
  const reports = Array.isArray(parsed) ? parsed : [parsed];
  return reports.flatMap((r) =>
    r.results.failed_checks.map((c) => {
      // resource: "Kind.namespace.name"
      const [kind, , ...name] = c.resource.split('.');
      return { id: `checkov:${c.check_id}`, object: `${kind}/${name.join('.')}`, file: c.file_path };
    }),
  );
}

interface KubeScoreObject {
  object_name: string;
  type_meta: { kind: string };
  file_name: string;
  checks: { check: { id: string }; grade: number; skipped: boolean }[];
}

/** kube-score: every check graded below "all OK" (10) and not skipped. */
async function kubeScore(files: readonly string[]): Promise<Finding[]> {
  const result = await run('kube-score', ['score', '--output-format', 'json', ...files], {
    timeoutMs: 300_000,
  });
  if (!result.stdout.trim().startsWith('['))
    throw new Error(`kube-score failed (${result.code}): ${result.stderr}${result.stdout.slice(0, 2000)}`);
  const objects = JSON.parse(result.stdout) as KubeScoreObject[];
  return objects.flatMap((o) =>
    o.checks
      .filter((c) => !c.skipped && c.grade < 10)
      .map((c) => ({
        id: `kube-score:${c.check.id}`,
        object: o.object_name,
        file: o.file_name,
      })),
  );
}

/** Findings of both scanners over the given manifest files. */
export async function hardeningFindings(files: readonly string[]): Promise<Finding[]> {
  return [...(await checkov(files)), ...(await kubeScore(files))];
}

/** Number of failing objects per check id. */
export function countById(findings: readonly Finding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of findings) counts[f.id] = (counts[f.id] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}
