import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyServiceClient, KeyServiceError, ServiceAccountToken } from '../../src/index.js';

describe('KeyServiceClient', () => {
  it('should retry network errors a bounded number of times, then fail with a retryable KeyServiceError', async () => {
    // A TCP endpoint that drops every connection: a network failure on each attempt.
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const dir = await mkdtemp(join(tmpdir(), 'ks-client-'));
    await writeFile(join(dir, 'token'), 'jwt');
    const client = new KeyServiceClient({
      url: `http://127.0.0.1:${port}`,
      token: new ServiceAccountToken(join(dir, 'token')),
      timeoutMs: 1_000,
      maxRetries: 3,
    });
    const err: unknown = await client.acquire('t1', 'openai').catch((e: unknown) => e);
    await client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(err).toBeInstanceOf(KeyServiceError);
    expect((err as KeyServiceError).message).toContain('unreachable');
    expect(connections).toBe(4);
  });
});
