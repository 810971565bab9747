import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { freePort, waitUntil } from '../../../../test/harness/index.js';

const REPO_ROOT = resolve(import.meta.dirname, '../../../..');
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
export const MOTO_REGION = 'eu-west-1';

export interface MotoKms {
  readonly endpoint: string;
  createKey(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * moto's server speaks the AWS KMS JSON wire protocol on loopback: the stand-in for the paid cloud
 * KMS. Installed by scripts/bootstrap.sh into .tools/venv (moto[server]==5.2.5).
 */
export async function startMotoKms(): Promise<MotoKms> {
  const binary = join(REPO_ROOT, '.tools/venv/bin/moto_server');
  if (!existsSync(binary)) throw new Error(`moto_server not found at ${binary}: run scripts/bootstrap.sh`);
  const port = await freePort();
  const child: ChildProcess = spawn(binary, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntil(() => fetch(`${endpoint}/moto-api/`).then(() => true), {
    what: 'moto_server to answer',
    timeoutMs: 60_000,
    intervalMs: 200,
    explain: () => stderr,
    abortReason: () => (child.exitCode === null ? undefined : `moto_server exited: ${stderr}`),
  });
  const client = new KMSClient({ region: MOTO_REGION, endpoint, credentials: MOTO_CREDENTIALS });
  return {
    endpoint,
    async createKey() {
      const out = await client.send(
        new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' }),
      );
      const id = out.KeyMetadata?.KeyId;
      if (!id) throw new Error('CreateKey returned no key id');
      return id;
    },
    async stop() {
      client.destroy();
      if (child.exitCode !== null) return;
      await new Promise<void>((r) => {
        child.once('exit', () => r());
        child.kill('SIGTERM');
      });
    },
  };
}
