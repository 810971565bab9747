import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, run } from './support/tools.js';

/**
 * chart-testing ships its yamale schema for Chart.yaml and its yamllint config in the module's etc/ folder, which a
 * `go build` of ct does not install; the module cache that built it has them at the pinned version.
 */
async function ctEtcDir(): Promise<string> {
  const gomodcache = (await run('go', ['env', 'GOMODCACHE'])).stdout.trim();
  const dir = path.join(gomodcache, 'github.com/helm/chart-testing/v3@v3.14.0/etc');
  if (!existsSync(path.join(dir, 'chart_schema.yaml')))
    throw new Error(`chart-testing's etc/ not found in ${dir}: run scripts/bootstrap.sh`);
  return dir;
}

describe('ct lint', () => {
  it('should lint the chart, its Chart.yaml schema, YAML style and every ci/*-values.yaml without fetching dependencies', async () => {
    const etc = await ctEtcDir();
    const result = await run(
      'ct',
      [
        'lint',
        '--config',
        path.join(repoRoot, 'test/chart/ct.yaml'),
        '--chart-yaml-schema',
        path.join(etc, 'chart_schema.yaml'),
        '--lint-conf',
        path.join(etc, 'lintconf.yaml'),
        '--skip-helm-dependencies',
        '--validate-maintainers=false',
      ],
      { timeoutMs: 600_000 },
    );
    const output = result.stdout + result.stderr;
    expect(output).toContain('✔︎ apexseo => (version: "0.1.0", path: "charts/apexseo")');
    expect(output).toContain('All charts linted successfully');
    expect(result.code).toBe(0);
  }, 600_000);
});
