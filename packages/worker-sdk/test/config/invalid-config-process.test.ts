import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const WORKER_MAIN = fileURLToPath(new URL('../integration/fixtures/worker-main.ts', import.meta.url));

describe('a worker process with invalid configuration', () => {
  it('should exit non-zero with one message naming every bad field', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER_MAIN], {
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? tmpdir(),
        APEXSEO_METRICS_PORT: 'ninety',
        APEXSEO_TEMPORAL_ADDRESS: 'temporal',
        APEXSEO_SHUTDOWN_GRACE_SECONDS: '-5',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(output).toContain('Invalid worker configuration (5 field(s))');
    for (const line of [
      'taskQueue (APEXSEO_TASK_QUEUE): is required',
      'temporal.address (APEXSEO_TEMPORAL_ADDRESS): must be host:port',
      'metrics.port (APEXSEO_METRICS_PORT)',
      'shutdownGraceSeconds (APEXSEO_SHUTDOWN_GRACE_SECONDS)',
      'keyService.tokenFile (APEXSEO_KEY_SERVICE_TOKEN_FILE): token file /var/run/secrets/apexseo/key-service/token does not exist',
    ]) {
      expect(output).toContain(line);
    }
    expect(output).not.toContain('WORKER_READY');
  }, 60_000);
});
