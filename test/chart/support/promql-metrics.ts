import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { chartDir, repoRoot } from './tools.js';

const keywords = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/**
 * Metric names a PromQL expression reads. Label matchers, strings, grouping clauses, durations and function
 * names (an identifier followed by `(`) are removed first.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const name = match[0];
    const rest = stripped.slice((match.index ?? 0) + name.length);
    if (/^\s*\(/.test(rest) || keywords.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

export interface DashboardQuery {
  dashboard: string;
  panel: string;
  expr: string;
}

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

/** Every query of every dashboard JSON in a folder (panels, nested rows and templating queries). */
export async function dashboardQueries(dir: string): Promise<DashboardQuery[]> {
  const out: DashboardQuery[] = [];
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json'))) {
    const dashboard = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as {
      panels: Panel[];
      templating?: { list: { name: string; query?: unknown }[] };
    };
    const visit = (panel: Panel): void => {
      for (const t of panel.targets ?? [])
        if (t.expr) out.push({ dashboard: file, panel: panel.title ?? '', expr: t.expr });
      (panel.panels ?? []).forEach(visit);
    };
    dashboard.panels.forEach(visit);
    for (const variable of dashboard.templating?.list ?? []) {
      const q = typeof variable.query === 'string' ? variable.query : '';
      const inner = /^label_values\((.+),\s*\w+\)$/.exec(q)?.[1];
      if (inner) out.push({ dashboard: file, panel: `$${variable.name}`, expr: inner });
    }
  }
  return out;
}

/** Metric names from the Metrics table of docs/architecture.md (first column, backticked). */
export function architectureMetrics(markdown: string): Map<string, string> {
  const section = markdown.slice(markdown.indexOf('## Metrics'));
  const out = new Map<string, string>();
  for (const line of section.split('\n')) {
    const m = /^\| `([a-z_:][a-z0-9_:]*)` \| ([^|]+) \|.*\| ([^|]+) \|$/.exec(line.trim());
    if (m?.[1] && m[3]) out.set(m[1], m[3].trim());
  }
  return out;
}

/** The Metrics table of docs/architecture.md: each metric's name and the component that exports it. */
export async function documentedMetrics(): Promise<Map<string, string>> {
  return architectureMetrics(await readFile(path.join(repoRoot, 'docs/architecture.md'), 'utf8'));
}

/** The metrics docs/architecture.md says the worker exports. */
export async function documentedWorkerMetrics(): Promise<string[]> {
  return [...(await documentedMetrics())].filter(([, by]) => by === 'worker').map(([name]) => name);
}

/** Every query of the chart's own dashboards (charts/apexseo/dashboards). */
export function chartDashboardQueries(): Promise<DashboardQuery[]> {
  return dashboardQueries(path.join(chartDir, 'dashboards'));
}

/** Metric families in a Prometheus text exposition (from its `# TYPE` lines). */
export function exposedMetrics(exposition: string): Set<string> {
  const out = new Set<string>();
  for (const m of exposition.matchAll(/^# TYPE (\S+) \S+$/gm)) if (m[1]) out.add(m[1]);
  return out;
}

/** Whether a series name belongs to a known metric family (a histogram's `_bucket`, `_sum` and `_count` included). */
export function isKnownSeries(name: string, families: ReadonlySet<string>): boolean {
  return families.has(name) || families.has(name.replace(/_(bucket|sum|count)$/, ''));
}
