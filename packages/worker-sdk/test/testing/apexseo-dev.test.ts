/**
 * `apexseo-dev --llm real`: each tenant's key is read from stdin (never an argument or variable), stored in the
 * local key service, and the worker command runs with the key service's URL and token file but without the
 * stand-in's base URLs, so it would call the real providers. The command here acquires the key the way the SDK does.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/harness/index.js';

const sdkDir = fileURLToPath(new URL('../../', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const KEY = 'sk-ant-typed-on-stdin-0001';
/** The probe's source is echoed by apexseo-dev ("running: ..."), so it carries only the key's digest. */
const KEY_SHA256 = createHash('sha256').update(KEY).digest('hex');

const probe = `
const { readFileSync } = await import('node:fs');
const { createHash } = await import('node:crypto');
const digest = (v) => createHash('sha256').update(String(v)).digest('hex');
const token = readFileSync(process.env.APEXSEO_KEY_SERVICE_TOKEN_FILE, 'utf8').trim();
const res = await fetch(process.env.APEXSEO_KEY_SERVICE_URL + '/v1/keys/acquire', {
  method: 'POST',
  headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' },
  body: JSON.stringify({ tenantId: 'acme', provider: 'anthropic' }),
});
const body = await res.json();
console.log('PROBE ' + JSON.stringify({
  status: res.status,
  keyFromStdin: digest(body.apiKey) === '${KEY_SHA256}',
  standInUrls: 'APEXSEO_OPENAI_BASE_URL' in process.env || 'APEXSEO_ANTHROPIC_BASE_URL' in process.env,
  keyInEnvironment: Object.values(process.env).some((v) => digest(v) === '${KEY_SHA256}'),
  taskQueue: process.env.APEXSEO_TASK_QUEUE,
}));
`;

describe('apexseo-dev', () => {
  it('should read real provider keys from stdin and give the worker the local key service only', async () => {
    const bin = join(sdkDir, 'dist/apexseo-dev.js');
    if (!existsSync(bin))
      throw new Error(`${bin} is missing: build the SDK (npm run build -w @apexseo/worker-sdk)`);
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        bin,
        '--llm',
        'real',
        '--tenant',
        'acme:anthropic',
        '--task-queue',
        'dev-probe',
        '--temporal-port',
        String(port),
        '--',
        process.execPath,
        '--input-type=module',
        '-e',
        probe,
      ],
      {
        env: { ...process.env, TEMPORAL_CLI_PATH: join(repoRoot, '.tools/bin/temporal') },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    child.stdin.end(`${KEY}\n`);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, output).toBe(0);
    const line = /^PROBE (.*)$/m.exec(output)?.[1];
    expect(JSON.parse(line ?? 'null')).toEqual({
      status: 200,
      keyFromStdin: true,
      standInUrls: false,
      keyInEnvironment: false,
      taskQueue: 'dev-probe',
    });
    expect(output).toContain('anthropic key for tenant acme: ');
    expect(output).toContain("apexseo-dev: LLM the providers' public APIs");
    expect(output.replace(/^PROBE .*$/m, '')).not.toContain(KEY);
  }, 120_000);
});
