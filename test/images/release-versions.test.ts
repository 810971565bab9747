import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from './support/containers.js';

/**
 * The chart deploys images tagged with its appVersion (scripts/images.sh tags local builds the same way), and the
 * release workflow pushes images under that tag before it pushes the chart.
 */
async function readYaml<T>(file: string): Promise<T> {
  return parse(await readFile(join(REPO_ROOT, file), 'utf8')) as T;
}

describe('release versions', () => {
  it("should give both app packages the chart's appVersion", async () => {
    const { appVersion } = await readYaml<{ appVersion: string }>('charts/apexseo/Chart.yaml');
    for (const app of ['eeat-worker', 'key-service']) {
      const pkg = JSON.parse(await readFile(join(REPO_ROOT, `packages/${app}/package.json`), 'utf8')) as {
        version: string;
      };
      expect(`${app} ${pkg.version}`).toBe(`${app} ${appVersion}`);
    }
  });

  it('should push the chart only after the images tagged with its appVersion', async () => {
    const workflow = await readYaml<{
      jobs: Record<string, { needs?: string | string[]; steps?: Array<{ with?: Record<string, string> }> }>;
    }>('.github/workflows/release.yml');
    expect([workflow.jobs.chart?.needs].flat()).toContain('images');
    const tags = workflow.jobs.images?.steps?.find((step) => step.with?.tags?.includes('type=raw'))?.with
      ?.tags;
    expect(tags).toContain('type=raw,value=${{ needs.plan.outputs.app-version }}');
  });
});
