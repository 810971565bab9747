import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, fakeProviderKey } from '../../packages/key-service/test/support/http.js';
import type { LocalKeyRingFile } from '../../packages/key-service/src/kek/local-key-ring.js';
import { createDatabase } from '../harness/index.js';
import { startKeyService, type RunningKeyService } from '../harness/key-service.js';
import {
  buildImages,
  keyServiceFromImage,
  removeOrphanContainers,
  runContainer,
  type BuiltImages,
} from './support/containers.js';

/**
 * The key-service image as the chart runs it (uid 1000, read-only root filesystem, host network here) against the
 * harness's real PostgreSQL: the migration Job's `migrate`, the Deployment's `serve`, the CronJob's `rewrap`.
 */
let images: BuiltImages;
let svc: RunningKeyService;
let db: pg.Client;
const tenantId = 'image-smoke';
const apiKey = fakeProviderKey('openai');

beforeAll(async () => {
  await removeOrphanContainers();
  images = await buildImages();
  const postgres = await createDatabase('ks_image');
  // migrate, then serve: both from the image.
  svc = await startKeyService({ postgres, launch: keyServiceFromImage(images['key-service'].id) });
  db = new pg.Client({ connectionString: postgres.url });
  await db.connect();
}, 600_000);

afterAll(async () => {
  await db?.end();
  await svc?.stop();
});

describe('key-service image', () => {
  it('should have migrated the database with `migrate`, and find nothing left to do on a second run', async () => {
    const tables = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'tenant_keys'",
    );
    expect(tables.rows).toEqual([{ table_name: 'tenant_keys' }]);
    const again = await svc.runCommand('migrate');
    expect(again.code, again.output).toBe(0);
  });

  it('should serve: ready on /readyz, a key stored over the admin API and acquired with a worker token', async () => {
    const ready = await fetch(`${svc.url}/readyz`);
    expect(ready.status).toBe(200);
    const stored = await call(svc.url, `/v1/tenants/${tenantId}/keys/openai`, {
      method: 'PUT',
      token: svc.adminToken,
      body: { apiKey },
    });
    expect(stored.status, stored.text).toBe(200);
    const acquired = await call(svc.url, '/v1/keys/acquire', {
      token: await svc.mintWorkerToken(),
      body: { tenantId, provider: 'openai' },
    });
    expect(acquired.status, acquired.text).toBe(200);
    expect(acquired.json).toMatchObject({ tenantId, provider: 'openai', apiKey, probe: false });
    const refused = await call(svc.url, '/v1/keys/acquire', { body: { tenantId, provider: 'openai' } });
    expect(refused.status).toBe(401);
  });

  it('should re-wrap the stored key under a new KEK version with `rewrap`', async () => {
    const ring = JSON.parse(await readFile(svc.kekFile, 'utf8')) as LocalKeyRingFile;
    await writeFile(
      svc.kekFile,
      JSON.stringify({
        ...ring,
        currentVersion: 2,
        keys: [...ring.keys, { version: 2, key: randomBytes(32).toString('base64') }],
      }),
      { mode: 0o600 },
    );
    const rewrap = await svc.runCommand('rewrap');
    expect(rewrap.code, rewrap.output).toBe(0);
    expect(rewrap.output).toContain('"rewrapped":1');
    expect(rewrap.output).not.toContain(apiKey);
    const row = await db.query<{ kek_version: number }>(
      'SELECT kek_version FROM tenant_keys WHERE tenant_id = $1',
      [tenantId],
    );
    expect(row.rows).toEqual([{ kek_version: 2 }]);
  });

  it('should exit non-zero on bad configuration, naming the field', async () => {
    const env = Object.fromEntries(
      Object.entries(svc.env).filter(([name]) => name !== 'KEY_SERVICE_ALLOWED_SUBJECTS'),
    );
    const result = await runContainer(images['key-service'].id, ['serve'], { env, mounts: [svc.dir] });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('KEY_SERVICE_ALLOWED_SUBJECTS');
  });

  it('should run as uid 1000 and be unable to write its own filesystem', async () => {
    const result = await runContainer(
      images['key-service'].id,
      [
        '-e',
        "try { require('fs').writeFileSync('/app/probe', 'x') } catch (e) { console.log(e.code) } console.log(process.getuid())",
      ],
      { entrypoint: 'node' },
    );
    expect(result.code, result.output).toBe(0);
    expect(result.output.trim().split('\n')).toEqual(['EROFS', '1000']);
  });
});
