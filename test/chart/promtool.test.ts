import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { copyChartWithoutDependencies, type ChartCopy } from './support/chart-copy.js';
import { findObject, monitoringApi, render } from './support/render.js';
import { chartDir, run } from './support/tools.js';

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
}
interface RuleGroup {
  name: string;
  rules: Rule[];
}

const unitTests = path.join(chartDir, 'tests/promtool/rules_test.yaml');

let chart: ChartCopy;
let workDir: string;
beforeAll(async () => {
  chart = await copyChartWithoutDependencies();
  workDir = await mkdtemp(path.join(tmpdir(), 'apexseo-rules-'));
});
afterAll(async () => {
  await chart.remove();
  await rm(workDir, { recursive: true, force: true });
});

/** Renders the chart's PrometheusRule and writes its groups as a Prometheus rule file next to the unit tests. */
async function renderRuleFile(dir: string, set: string[] = []): Promise<RuleGroup[]> {
  const objects = await render(chart.dir, { profile: 'launch', apiVersions: [monitoringApi], set });
  const rule = findObject(objects, 'PrometheusRule', 'apexseo') as unknown as {
    spec: { groups: RuleGroup[] };
  };
  await writeFile(path.join(dir, 'apexseo-rules.yaml'), stringify({ groups: rule.spec.groups }));
  await copyFile(unitTests, path.join(dir, 'rules_test.yaml'));
  return rule.spec.groups;
}

describe('PrometheusRule', () => {
  it('should pass promtool check rules', async () => {
    await renderRuleFile(workDir);
    const result = await run('promtool', ['check', 'rules', path.join(workDir, 'apexseo-rules.yaml')]);
    expect(result.stdout + result.stderr).toContain('SUCCESS: 6 rules found');
    expect(result.code).toBe(0);
  });

  it('should pass the promtool unit tests of every rule', async () => {
    await renderRuleFile(workDir);
    const result = await run('promtool', ['test', 'rules', path.join(workDir, 'rules_test.yaml')]);
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('should have a unit test for every recording rule and alert', async () => {
    const groups = await renderRuleFile(workDir);
    const tests = parse(await readFile(unitTests, 'utf8')) as {
      tests: {
        alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[];
        promql_expr_test?: { expr: string }[];
      }[];
    };
    const firing = new Set(
      tests.tests.flatMap((t) =>
        (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname),
      ),
    );
    const recorded = new Set(tests.tests.flatMap((t) => (t.promql_expr_test ?? []).map((p) => p.expr)));
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.filter((r) => r.alert && !firing.has(r.alert)).map((r) => r.alert)).toEqual([]);
    expect(rules.filter((r) => r.record && !recorded.has(r.record)).map((r) => r.record)).toEqual([]);
    expect(rules.map((r) => r.alert ?? r.record).sort()).toEqual([
      'ApexseoKeyBreakerTripped',
      'ApexseoKeyServiceCannotVerifyWorkers',
      'ApexseoPriorityQueueLatencyHigh',
      'ApexseoStandardBacklogGrowingAtMax',
      'ApexseoWorkflowFailures',
      'llm_api_error_rate',
    ]);
  });

  it('should make the latency unit test fail when the objective is raised above the observed p99', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'apexseo-rules-objective-'));
    try {
      await renderRuleFile(dir, ['monitoring.rules.priorityLatencyObjectiveSeconds=120']);
      const result = await run('promtool', ['test', 'rules', path.join(dir, 'rules_test.yaml')]);
      expect(result.code).not.toBe(0);
      expect(result.stdout + result.stderr).toContain('ApexseoPriorityQueueLatencyHigh');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
