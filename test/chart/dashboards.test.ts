import { describe, expect, it } from 'vitest';
import { createDatabase, useServices } from '../harness/index.js';
import { startKeyService } from '../harness/key-service.js';
import {
  chartDashboardQueries,
  documentedMetrics,
  exposedMetrics,
  isKnownSeries,
  metricNames,
} from './support/promql-metrics.js';

/**
 * Series the dashboards read from the cluster's own exporters, not from ApexSEO code: the replica count of the
 * worker Deployments (kube-state-metrics) and the backlog reading KEDA's operator exports for each ScaledObject.
 */
const clusterMetrics = new Set(['kube_deployment_status_replicas', 'keda_scaler_metrics_value']);

const queries = await chartDashboardQueries();
const documented = await documentedMetrics();

describe('Grafana dashboards', () => {
  it('should find the metrics table in docs/architecture.md and queries in the dashboards', () => {
    expect(documented.get('worker_queue_latency')).toBe('worker');
    expect(documented.get('key_service_breaker_open')).toBe('key-service');
    expect(queries.length).toBeGreaterThan(8);
  });

  it('should query only metrics named in docs/architecture.md or exported by KEDA and kube-state-metrics', () => {
    const known = new Set([...documented.keys(), ...clusterMetrics]);
    const unknown = queries.flatMap((q) =>
      metricNames(q.expr)
        .filter((m) => !isKnownSeries(m, known))
        .map((m) => `${q.panel}: ${m}`),
    );
    expect(unknown).toEqual([]);
  });

  it('should show the three worker metrics, the breaker state and the KEDA replicas', () => {
    const used = new Set(queries.flatMap((q) => metricNames(q.expr)));
    for (const m of [
      'temporal_workflow_failed_count',
      'worker_queue_latency_bucket',
      'llm_api_error_rate',
      'key_service_breaker_open',
      'kube_deployment_status_replicas',
    ]) {
      expect(used, m).toContain(m);
    }
  });

  it('should break the worker metrics down by queue and tenant', () => {
    const exprs = queries.map((q) => q.expr);
    expect(
      exprs.some((e) => e.includes('temporal_workflow_failed_count') && /by \([^)]*task_queue/.test(e)),
    ).toBe(true);
    expect(
      exprs.some((e) => e.includes('worker_queue_latency_bucket') && /by \([^)]*task_queue/.test(e)),
    ).toBe(true);
    expect(exprs.some((e) => e.includes('llm_api_error_rate') && e.includes('tenant'))).toBe(true);
  });

  it('should query only key-service metrics that a running key service exports', async () => {
    await useServices('postgres');
    const service = await startKeyService({ postgres: await createDatabase('chart_dashboards') });
    try {
      const response = await fetch(`${service.metricsUrl}/metrics`);
      expect(response.status).toBe(200);
      const exported = exposedMetrics(await response.text());
      expect(exported).toContain('key_service_breaker_open');
      const keyServiceSeries = queries
        .flatMap((q) => metricNames(q.expr))
        .filter((m) => m.startsWith('key_service_'));
      expect(keyServiceSeries.length).toBeGreaterThan(2);
      expect(keyServiceSeries.filter((m) => !isKnownSeries(m, exported))).toEqual([]);
    } finally {
      await service.stop();
    }
  });

  it('should not mistake functions, label names or durations for metrics', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le, task_queue) (rate(worker_queue_latency_bucket{task_queue=~"$q"}[5m])))',
      ),
    ).toEqual(['worker_queue_latency_bucket']);
  });
});
