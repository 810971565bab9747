import { mkdtemp, rename, symlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ServiceAccountToken } from '../../src/index.js';

describe('ServiceAccountToken', () => {
  it('should re-read the token after the kubelet swaps the projected volume', async () => {
    // The kubelet writes a new timestamped folder and atomically repoints the `..data` symlink.
    const dir = await mkdtemp(join(tmpdir(), 'sa-token-'));
    await mkdir(join(dir, 'v1'));
    await writeFile(join(dir, 'v1', 'token'), 'jwt-one\n');
    await symlink('v1', join(dir, '..data'));
    await symlink(join('..data', 'token'), join(dir, 'token'));
    const token = new ServiceAccountToken(join(dir, 'token'));
    expect(await token.get()).toBe('jwt-one');

    await mkdir(join(dir, 'v2'));
    await writeFile(join(dir, 'v2', 'token'), 'jwt-two-rotated\n');
    await symlink('v2', join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    expect(await token.get()).toBe('jwt-two-rotated');
  });

  it('should fail with KeyServiceUnauthorized naming the file when it is missing', async () => {
    const token = new ServiceAccountToken('/nonexistent/token');
    const err: unknown = await token.get().catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'KeyServiceUnauthorized' });
    expect((err as Error).message).toContain('/nonexistent/token');
  });
});
