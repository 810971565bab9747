import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsServer, WorkerMetrics } from '../../src/index.js';

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function get(port: number, path: string): Promise<{ status: number; text: string }> {
  const res = await request(`http://127.0.0.1:${port}${path}`);
  return { status: res.statusCode, text: await res.body.text() };
}

describe('MetricsServer', () => {
  it('should serve the documented metric names with their labels on /metrics', async () => {
    const metrics = new WorkerMetrics({ processMetrics: false });
    metrics.recordWorkflowFailed('LlmBadRequest', 'auditPage', 'eeat-priority');
    metrics.recordQueueLatency('eeat-priority', 'activity', 0.02);
    metrics.recordLlmRequest('t1', 'mrr', 'openai');
    metrics.recordLlmError('t1', 'mrr', 'openai', 'auth_failure');
    server = new MetricsServer({
      registry: metrics.registry,
      port: 0,
      host: '127.0.0.1',
      isReady: () => true,
    });
    const port = await server.start();
    const { status, text } = await get(port, '/metrics');
    expect(status).toBe(200);
    expect(text).toContain(
      'temporal_workflow_failed_count{error_type="LlmBadRequest",workflow_type="auditPage",task_queue="eeat-priority"} 1',
    );
    expect(text).toContain(
      'worker_queue_latency_bucket{le="0.025",task_queue="eeat-priority",kind="activity"} 1',
    );
    expect(text).toContain('llm_api_requests_total{tenant="t1",plan="mrr",provider="openai"} 1');
    expect(text).toContain(
      'llm_api_errors_total{tenant="t1",plan="mrr",provider="openai",error_class="auth_failure"} 1',
    );
  });

  it('should answer /readyz 503 while the worker is not running and /healthz 200', async () => {
    let ready = false;
    server = new MetricsServer({
      registry: new WorkerMetrics({ processMetrics: false }).registry,
      port: 0,
      host: '127.0.0.1',
      isReady: () => ready,
    });
    const port = await server.start();
    expect((await get(port, '/readyz')).status).toBe(503);
    expect((await get(port, '/healthz')).status).toBe(200);
    ready = true;
    expect((await get(port, '/readyz')).status).toBe(200);
  });
});
