import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, loadWorkerConfig, type ApexWorker } from '../../packages/worker-sdk/src/index.js';
import { freePort, useServices } from '../harness/index.js';
import { copyChartWithoutDependencies, type ChartCopy } from './support/chart-copy.js';
import {
  chartDashboardQueries,
  documentedWorkerMetrics,
  exposedMetrics,
  isKnownSeries,
  metricNames,
} from './support/promql-metrics.js';
import { findObject, monitoringApi, render } from './support/render.js';

/**
 * The dashboards and alert rules against a running worker: a worker built with the SDK's createWorker() polls a real
 * Temporal dev server, and its /metrics (prom-client) and Temporal Core metrics ports are scraped over HTTP.
 */
let worker: ApexWorker | undefined;
let running: Promise<void> | undefined;
let work: string;
let chart: ChartCopy;
let workerExposition = '';
let temporalExposition = '';

async function scrape(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

beforeAll(async () => {
  chart = await copyChartWithoutDependencies();
  const { temporal } = await useServices('temporal');
  work = await mkdtemp(path.join(tmpdir(), 'apexseo-worker-metrics-'));
  const tokenFile = path.join(work, 'token');
  await writeFile(tokenFile, 'not-used-by-this-test');
  const temporalMetricsPort = await freePort();
  const config = loadWorkerConfig(
    { metrics: { host: '127.0.0.1' } },
    {
      APEXSEO_TEMPORAL_ADDRESS: temporal.address,
      APEXSEO_TEMPORAL_NAMESPACE: temporal.namespace,
      APEXSEO_TASK_QUEUE: `chart-metrics-${Date.now()}`,
      APEXSEO_KEY_SERVICE_URL: 'http://127.0.0.1:9',
      APEXSEO_KEY_SERVICE_TOKEN_FILE: tokenFile,
      APEXSEO_METRICS_PORT: '0',
      APEXSEO_TEMPORAL_METRICS_PORT: String(temporalMetricsPort),
    },
  );
  worker = await createWorker({ config, activities: { ping: () => Promise.resolve('pong') } });
  running = worker.run();
  workerExposition = await scrape(worker.metricsPort);
  temporalExposition = await scrape(temporalMetricsPort);
});

afterAll(async () => {
  await worker?.shutdown();
  await running;
  await chart?.remove();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('metrics of a running worker', () => {
  it('should export every worker metric that docs/architecture.md lists', async () => {
    const workerMetrics = await documentedWorkerMetrics();
    expect(workerMetrics.length).toBeGreaterThan(3);
    const exported = exposedMetrics(workerExposition);
    expect(workerMetrics.filter((m) => !exported.has(m))).toEqual([]);
  });

  it('should serve Temporal Core SDK metrics on the Temporal metrics port', () => {
    expect(temporalExposition).toMatch(/^temporal_\w+/m);
  });

  it('should export every worker series the dashboards query', async () => {
    const exported = exposedMetrics(workerExposition);
    const workerFamilies = new Set(await documentedWorkerMetrics());
    const series = (await chartDashboardQueries()).flatMap((q) => metricNames(q.expr));
    const fromWorker = series.filter((m) => isKnownSeries(m, workerFamilies));
    expect(fromWorker.length).toBeGreaterThan(3);
    expect(fromWorker.filter((m) => !isKnownSeries(m, exported))).toEqual([]);
  });

  it('should export every worker series the alert and recording rules read', async () => {
    const exported = exposedMetrics(workerExposition);
    const objects = await render(chart.dir, { profile: 'launch', apiVersions: [monitoringApi] });
    const rule = findObject(objects, 'PrometheusRule', 'apexseo') as unknown as {
      spec: { groups: { rules: { expr: string }[] }[] };
    };
    const series = rule.spec.groups.flatMap((g) => g.rules).flatMap((r) => metricNames(r.expr));
    const workerSeries = series.filter((m) =>
      /^(temporal_workflow_failed_count|worker_queue_latency|llm_api_)/.test(m),
    );
    expect(workerSeries.length).toBeGreaterThan(3);
    expect(workerSeries.filter((m) => !isKnownSeries(m, exported))).toEqual([]);
  });
});
