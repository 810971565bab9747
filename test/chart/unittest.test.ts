import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyChartWithoutDependencies, type ChartCopy } from './support/chart-copy.js';
import { chartDir, run } from './support/tools.js';

/** helm-unittest (the local Helm plugin built by scripts/bootstrap.sh) over charts/apexseo/tests/*_test.yaml. */
let chart: ChartCopy;
beforeAll(async () => {
  chart = await copyChartWithoutDependencies();
});
afterAll(async () => {
  await chart.remove();
});

const suites = (await readdir(path.join(chartDir, 'tests'))).filter((f) => f.endsWith('_test.yaml')).sort();

describe('helm unittest', () => {
  it('should find a suite for workers, autoscaling, key service, NetworkPolicy, stores, monitoring, NOTES and cross-value rules', () => {
    expect(suites).toEqual([
      'key_service_test.yaml',
      'monitoring_test.yaml',
      'networkpolicy_test.yaml',
      'notes_test.yaml',
      'stores_test.yaml',
      'validate_test.yaml',
      'worker_autoscaling_test.yaml',
      'worker_deployment_test.yaml',
      'worker_networkpolicy_test.yaml',
    ]);
  });

  it('should pass every suite in strict mode', async () => {
    const result = await run('helm', ['unittest', '--strict', '--color=false', chart.dir], {
      timeoutMs: 300_000,
    });
    const output = result.stdout + result.stderr;
    expect(output).toMatch(new RegExp(`Test Suites: ${suites.length} passed, ${suites.length} total`));
    expect(output).toMatch(/Tests: +\d+ passed, \d+ total/);
    expect(output).not.toMatch(/\d+ failed/);
    expect(result.code).toBe(0);
  }, 300_000);
});
