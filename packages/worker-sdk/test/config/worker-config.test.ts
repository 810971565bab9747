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

async function writeToken(content: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'sdk-token-')), 'token');
  await writeFile(file, content);
  return file;
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
        'keyService.tokenFile',
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

  it('should apply the documented defaults when only the task queue and token file are given', async () => {
    const tokenFile = await writeToken('worker-token');
    const config = loadWorkerConfig(
      {},
      { APEXSEO_TASK_QUEUE: 'eeat-standard', APEXSEO_KEY_SERVICE_TOKEN_FILE: tokenFile },
    );
    expect(config).toMatchObject({
      taskQueue: 'eeat-standard',
      temporal: { address: '127.0.0.1:7233', namespace: 'default' },
      keyService: { url: 'http://127.0.0.1:8080', tokenFile, timeoutMs: 5000, maxRetries: 2 },
      llm: { openaiBaseUrl: 'https://api.openai.com', anthropicBaseUrl: 'https://api.anthropic.com' },
      // Not the key service's metrics port (9464): both run on one machine with their defaults.
      metrics: { port: 9466, temporalPort: 9465 },
      concurrency: { maxConcurrentActivities: 20, maxConcurrentWorkflowTasks: 40 },
      shutdownGraceSeconds: 25,
      requirePrebuiltBundle: false,
    });
  });

  it('should check the token file, the default path included, when the configuration loads', async () => {
    const byDefault = configError(() => loadWorkerConfig({}, { APEXSEO_TASK_QUEUE: 'q' }));
    expect(byDefault.message).toContain(
      'keyService.tokenFile (APEXSEO_KEY_SERVICE_TOKEN_FILE): token file /var/run/secrets/apexseo/key-service/token does not exist',
    );
    const empty = await writeToken('  \n');
    expect(
      configError(() =>
        loadWorkerConfig({}, { APEXSEO_TASK_QUEUE: 'q', APEXSEO_KEY_SERVICE_TOKEN_FILE: empty }),
      ).issues,
    ).toEqual([
      {
        field: 'keyService.tokenFile',
        env: 'APEXSEO_KEY_SERVICE_TOKEN_FILE',
        message: `token file ${empty} is empty`,
      },
    ]);
    const dir = await mkdtemp(join(tmpdir(), 'sdk-config-'));
    expect(
      configError(() =>
        loadWorkerConfig({}, { APEXSEO_TASK_QUEUE: 'q', APEXSEO_KEY_SERVICE_TOKEN_FILE: dir }),
      ).message,
    ).toContain(`token file ${dir} is not readable (EISDIR)`);
  });

  it('should accept provider base URLs with and without /v1 and store them without it', async () => {
    const tokenFile = await writeToken('t');
    for (const [given, stored] of [
      ['http://llm.internal:8080', 'http://llm.internal:8080'],
      ['http://llm.internal:8080/', 'http://llm.internal:8080'],
      ['http://llm.internal:8080/v1', 'http://llm.internal:8080'],
      ['https://gateway.example/openai/v1/', 'https://gateway.example/openai'],
    ] as const) {
      const config = loadWorkerConfig(
        {},
        {
          APEXSEO_TASK_QUEUE: 'q',
          APEXSEO_KEY_SERVICE_TOKEN_FILE: tokenFile,
          APEXSEO_OPENAI_BASE_URL: given,
          APEXSEO_ANTHROPIC_BASE_URL: given,
        },
      );
      expect(config.llm).toMatchObject({ openaiBaseUrl: stored, anthropicBaseUrl: stored });
    }
    const err = configError(() =>
      loadWorkerConfig(
        {},
        {
          APEXSEO_TASK_QUEUE: 'q',
          APEXSEO_KEY_SERVICE_TOKEN_FILE: tokenFile,
          APEXSEO_OPENAI_BASE_URL: 'http://llm.internal/v1/chat/completions?x=1',
        },
      ),
    );
    expect(err.issues).toEqual([
      expect.objectContaining({ field: 'llm.openaiBaseUrl', env: 'APEXSEO_OPENAI_BASE_URL' }),
    ]);
  });

  it('should read every option that has its own variable from that variable', async () => {
    const tokenFile = await writeToken('t');
    const config = loadWorkerConfig(
      {},
      {
        APEXSEO_TASK_QUEUE: 'q',
        APEXSEO_KEY_SERVICE_TOKEN_FILE: tokenFile,
        APEXSEO_KEY_SERVICE_TIMEOUT_MS: '1234',
        APEXSEO_KEY_SERVICE_MAX_RETRIES: '7',
        APEXSEO_LLM_TIMEOUT_MS: '4321',
        APEXSEO_LLM_MAX_RETRIES: '4',
      },
    );
    expect(config.keyService).toMatchObject({ timeoutMs: 1234, maxRetries: 7 });
    expect(config.llm).toMatchObject({ timeoutMs: 4321, maxRetries: 4 });
  });

  it('should let options override the environment', async () => {
    const config = loadWorkerConfig(
      { taskQueue: 'from-options', metrics: { port: 0 }, keyService: { tokenFile: await writeToken('t') } },
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

  it('should require a prebuilt bundle when NODE_ENV is production', async () => {
    const env = {
      APEXSEO_TASK_QUEUE: 'q',
      NODE_ENV: 'production',
      APEXSEO_KEY_SERVICE_TOKEN_FILE: await writeToken('t'),
    };
    expect(loadWorkerConfig({}, env).requirePrebuiltBundle).toBe(true);
  });
});
