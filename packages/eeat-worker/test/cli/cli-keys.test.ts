import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, useServices } from '../../../../test/harness/index.js';
import { startKeyService, type RunningKeyService } from '../../../../test/harness/key-service.js';
import { runCli } from './run-cli.js';

/** `apexseo key set` against the real key service: the key comes from stdin, never from argv. */
describe('apexseo key set', () => {
  let keys: RunningKeyService;
  let dir: string;
  let env: Record<string, string>;
  const secret = 'sk-test-cli-0123456789abcdef';

  beforeAll(async () => {
    keys = await startKeyService({ postgres: await createDatabase('eeat_cli_keys') });
    dir = await mkdtemp(join(tmpdir(), 'apexseo-cli-'));
    const adminTokenFile = join(dir, 'admin-token');
    await writeFile(adminTokenFile, keys.adminToken, { mode: 0o600 });
    env = { APEXSEO_KEY_SERVICE_URL: keys.url, APEXSEO_ADMIN_TOKEN_FILE: adminTokenFile };
  });
  afterAll(async () => {
    await keys?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('should store the key read from stdin and print its version and fingerprint as JSON', async () => {
    const run = await runCli(['key', 'set', '--tenant', 'acme', '--provider', 'openai', '--json'], {
      env,
      stdin: `${secret}\n`,
    });
    expect(run.code).toBe(0);
    const body = JSON.parse(run.stdout) as {
      tenantId: string;
      provider: string;
      keyVersion: number;
      fingerprint: string;
    };
    expect(body).toMatchObject({ tenantId: 'acme', provider: 'openai', keyVersion: 1 });
    expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it('should refuse a key passed as an argument without contacting the key service or echoing it', async () => {
    const run = await runCli(
      ['key', 'set', '--tenant', 'acme', '--provider', 'openai', `--api-key=${secret}`, '--json'],
      { env },
    );
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { type: 'SECRET_IN_ARGV' } });
    expect(run.stdout + run.stderr).not.toContain(secret);
    const again = await runCli(['key', 'set', '--tenant', 'acme', '--provider', 'openai', '--json'], {
      env,
      stdin: `${secret}-2`,
    });
    expect((JSON.parse(again.stdout) as { keyVersion: number }).keyVersion).toBe(2);
  });

  it('should refuse an empty stdin with a clear error', async () => {
    const run = await runCli(['key', 'set', '--tenant', 'acme', '--provider', 'anthropic', '--json'], {
      env,
      stdin: '',
    });
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { type: 'EMPTY_SECRET' } });
  });

  it('should name the bad option when the provider is unknown', async () => {
    const run = await runCli(['key', 'set', '--tenant', 'acme', '--provider', 'gemini'], {
      env,
      stdin: secret,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--provider must be openai or anthropic/);
  });

  it('should resume a tenant through the admin API, signal its parked audits and report it as JSON', async () => {
    const { temporal } = await useServices('temporal');
    const run = await runCli(['tenant', 'resume', '--tenant', 'acme', '--json'], {
      env: { ...env, APEXSEO_TEMPORAL_ADDRESS: temporal.address },
    });
    expect(run.code, run.stderr).toBe(0);
    const body = JSON.parse(run.stdout) as { tenantId: string; workflows: { mode: string } };
    expect(body.tenantId).toBe('acme');
    expect(['batch', 'individual']).toContain(body.workflows.mode);
  });
});
