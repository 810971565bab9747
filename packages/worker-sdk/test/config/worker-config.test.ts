import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadWorkerConfig } from '../../src/index.js';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadWorkerConfig', () => {
  it('should name every invalid field and its environment variable in one message', () => {
    const err = configError(() =>
      loadWorkerConfig(
        {},
        {
          APEXSEO_TEMPORAL_ADDRESS: 'no-port',
          APEXSEO_METRICS_PORT: 'abc',
          APEXSEO_KEY_SERVICE_URL: 'ftp://keys',
          APEXSEO_MAX_CONCURRENT_ACTIVITIES: '0',
          APEXSEO_SHUTDOWN_GRACE_SECONDS: '-1',
        },
      ),
    );
    expect(err.type).toBe('ConfigError');
    expect(err.issues.map((i) => i.field).sort()).toEqual(
      [
        'concurrency.maxConcurrentActivities',
        'keyService.url',
        'metrics.port',
        'shutdownGraceSeconds',
        'taskQueue',
        'temporal.address',
      ].sort(),
    );
    for (const name of [
      'APEXSEO_TEMPORAL_ADDRESS',
      'APEXSEO_METRICS_PORT',
      'APEXSEO_KEY_SERVICE_URL',
      'APEXSEO_MAX_CONCURRENT_ACTIVITIES',
      'APEXSEO_SHUTDOWN_GRACE_SECONDS',
      'APEXSEO_TASK_QUEUE',
    ]) {
      expect(err.message).toContain(name);
    }
    expect(err.message).toContain('taskQueue (APEXSEO_TASK_QUEUE): is required');
  });

  it('should apply the documented defaults when only the task queue is given', () => {
    const config = loadWorkerConfig({}, { APEXSEO_TASK_QUEUE: 'eeat-standard' });
    expect(config).toMatchObject({
      taskQueue: 'eeat-standard',
      temporal: { address: '127.0.0.1:7233', namespace: 'default' },
      keyService: { url: 'http://127.0.0.1:8080', tokenFile: '/var/run/secrets/apexseo/key-service/token' },
      metrics: { port: 9464, temporalPort: 9465 },
      concurrency: { maxConcurrentActivities: 20, maxConcurrentWorkflowTasks: 40 },
      shutdownGraceSeconds: 25,
      requirePrebuiltBundle: false,
    });
  });

  it('should let options override the environment', () => {
    const config = loadWorkerConfig(
      { taskQueue: 'from-options', metrics: { port: 0 } },
      { APEXSEO_TASK_QUEUE: 'from-env', APEXSEO_METRICS_PORT: '9999' },
    );
    expect(config.taskQueue).toBe('from-options');
    expect(config.metrics.port).toBe(0);
  });

  it('should reject a TLS certificate without its key and a missing TLS file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sdk-config-'));
    const cert = join(dir, 'client.pem');
    await writeFile(cert, 'not checked here');
    const err = configError(() =>
      loadWorkerConfig(
        {},
        {
          APEXSEO_TASK_QUEUE: 'q',
          APEXSEO_TEMPORAL_TLS_CERT_FILE: cert,
          APEXSEO_TEMPORAL_TLS_CA_FILE: join(dir, 'missing-ca.pem'),
        },
      ),
    );
    expect(err.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          field: 'temporal.tls.keyFile',
          message: 'certFile and keyFile must be set together',
        }),
        expect.objectContaining({ field: 'temporal.tls.caFile', env: 'APEXSEO_TEMPORAL_TLS_CA_FILE' }),
      ]),
    );
  });

  it('should require a prebuilt bundle when NODE_ENV is production', () => {
    expect(
      loadWorkerConfig({}, { APEXSEO_TASK_QUEUE: 'q', NODE_ENV: 'production' }).requirePrebuiltBundle,
    ).toBe(true);
  });
});
