import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EeatConfigError, loadCliConfig, loadEeatWorkerConfig } from '../../src/config/eeat-config.js';

let dir: string;
let tokenFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eeat-config-'));
  tokenFile = join(dir, 'token');
  await writeFile(tokenFile, 'config-test-token');
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function thrown(load: () => unknown): EeatConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof EeatConfigError) return error;
    throw error;
  }
  throw new Error('expected an EeatConfigError');
}

describe('worker configuration', () => {
  it('should name every bad variable, the SDK’s and the worker’s, in one error', () => {
    const error = thrown(() =>
      loadEeatWorkerConfig(
        {},
        {
          APEXSEO_TASK_QUEUE: 'eeat-gold',
          APEXSEO_KEY_SERVICE_TOKEN_FILE: tokenFile,
          APEXSEO_METRICS_PORT: 'ninety',
          APEXSEO_CLICKHOUSE_URL: 'ftp://clickhouse:9000',
          APEXSEO_CLICKHOUSE_DATABASE: 'apex-seo',
          APEXSEO_NEO4J_URL: 'http://neo4j:7474',
          APEXSEO_PAGE_HEAP_MB: 'lots',
          APEXSEO_ANALYSIS_THREADS: '0',
          APEXSEO_FETCH_PRIVATE_HOSTS: '127.0.0.1',
        },
      ),
    );
    expect(error.type).toBe('WORKER_CONFIG_INVALID');
    expect(error.issues.map((i) => i.env).sort()).toEqual([
      'APEXSEO_ANALYSIS_THREADS',
      'APEXSEO_CLICKHOUSE_DATABASE',
      'APEXSEO_CLICKHOUSE_URL',
      'APEXSEO_FETCH_PRIVATE_HOSTS',
      'APEXSEO_METRICS_PORT',
      'APEXSEO_NEO4J_URL',
      'APEXSEO_PAGE_HEAP_MB',
    ]);
    expect(error.message).toContain('invalid configuration (7 variable(s))');
    expect(error.message).toContain('APEXSEO_PAGE_HEAP_MB: must be a positive integer (got "lots")');
    expect(error.message).toContain('APEXSEO_ANALYSIS_THREADS: must be a positive integer (got "0")');
    expect(error.message).toContain('APEXSEO_CLICKHOUSE_DATABASE: must be a plain identifier');
    expect(error.message).toContain('APEXSEO_NEO4J_URL: must be a bolt:// or neo4j:// URL');
    expect(error.message).toContain(
      'APEXSEO_FETCH_PRIVATE_HOSTS: "127.0.0.1" is not host:port (the port may be *)',
    );
    expect(error.message).toMatch(/APEXSEO_METRICS_PORT: .*"ninety"/);
    expect(error.message).toMatch(/APEXSEO_CLICKHOUSE_URL: /);
  });

  it('should check the pool once the SDK’s configuration is valid, and report it with the worker’s issues', () => {
    const error = thrown(() =>
      loadEeatWorkerConfig(
        {},
        {
          APEXSEO_TASK_QUEUE: 'eeat-gold',
          APEXSEO_KEY_SERVICE_TOKEN_FILE: tokenFile,
          APEXSEO_PAGE_DEADLINE_MS: '-5',
        },
      ),
    );
    expect(error.issues.map((i) => i.env)).toEqual(['APEXSEO_TASK_QUEUE', 'APEXSEO_PAGE_DEADLINE_MS']);
    expect(error.message).toContain(
      'APEXSEO_TASK_QUEUE: must be one of eeat-priority, eeat-standard (got "eeat-gold")',
    );
  });

  it('should read the same variables with the same defaults as before', () => {
    const config = loadEeatWorkerConfig(
      {},
      { APEXSEO_TASK_QUEUE: 'eeat-standard', APEXSEO_KEY_SERVICE_TOKEN_FILE: tokenFile },
    );
    expect(config.sdk.taskQueue).toBe('eeat-standard');
    expect(config.stores).toEqual({
      clickhouse: {
        url: 'http://127.0.0.1:8123',
        username: 'default',
        password: '',
        database: 'apexseo',
      },
      neo4j: { boltUrl: 'bolt://127.0.0.1:7687', username: 'neo4j', password: '' },
    });
    expect(config.analysis).toEqual({ budget: {} });
    expect(config.migrateOnStart).toBe(false);
    expect(config.llmModel).toBeUndefined();
    expect(config.workflowBundlePath).toBeUndefined();
    expect(config.privateHosts.permits('127.0.0.1:8080')).toBe(false);

    const given = loadEeatWorkerConfig(
      { sdk: { taskQueue: 'eeat-priority' } },
      {
        APEXSEO_TASK_QUEUE: 'eeat-gold',
        APEXSEO_KEY_SERVICE_TOKEN_FILE: tokenFile,
        APEXSEO_CLICKHOUSE_URL: 'https://ch.example:8443',
        APEXSEO_CLICKHOUSE_DATABASE: 'audits',
        APEXSEO_NEO4J_URL: 'neo4j+s://graph.example',
        APEXSEO_MIGRATE_ON_START: 'true',
        APEXSEO_LLM_MODEL: 'gpt-4.1-mini',
        APEXSEO_WORKFLOW_BUNDLE: '/app/dist/workflow-bundle.js',
        APEXSEO_ANALYSIS_THREADS: '3',
        APEXSEO_PAGE_DEADLINE_MS: '5000',
        APEXSEO_PAGE_HEAP_MB: '256',
        APEXSEO_FETCH_PRIVATE_HOSTS: '127.0.0.1:*',
      },
    );
    expect(given.sdk.taskQueue).toBe('eeat-priority');
    expect(given.stores.clickhouse).toMatchObject({ url: 'https://ch.example:8443', database: 'audits' });
    expect(given.stores.neo4j.boltUrl).toBe('neo4j+s://graph.example');
    expect(given.migrateOnStart).toBe(true);
    expect(given.llmModel).toBe('gpt-4.1-mini');
    expect(given.workflowBundlePath).toBe('/app/dist/workflow-bundle.js');
    expect(given.analysis).toEqual({ threads: 3, budget: { deadlineMs: 5000, heapMb: 256 } });
    expect(given.privateHosts.permits('127.0.0.1:8080')).toBe(true);
  });
});

describe('CLI configuration', () => {
  it('should read Temporal, the stores and the private-host allowance, naming every bad variable at once', () => {
    expect(loadCliConfig({}).temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default' });
    expect(
      loadCliConfig({ APEXSEO_TEMPORAL_ADDRESS: 'temporal:7233', APEXSEO_TEMPORAL_NAMESPACE: 'audits' })
        .temporal,
    ).toEqual({ address: 'temporal:7233', namespace: 'audits' });
    const error = thrown(() =>
      loadCliConfig({ APEXSEO_CLICKHOUSE_USER: '', APEXSEO_NEO4J_URL: 'neo4j.example' }),
    );
    expect(error.issues.map((i) => i.env)).toEqual(['APEXSEO_CLICKHOUSE_USER', 'APEXSEO_NEO4J_URL']);
  });
});
