/**
 * bench/key-acquire: acquire (breaker check + probe lease + audit insert + unwrap + AES-GCM decrypt)
 * against a baseline route that does one plain indexed SELECT through the same HTTP stack, on real
 * PostgreSQL. Load comes from a separate process. See README.md for the method and the figures.
 *   node --import tsx bench/key-acquire/src/run-bench.ts [--seconds 15] [--rates 100,300] [--durable|--harness]
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import pino from 'pino';
import { freePort, startPostgres } from '../../../test/harness/index.js';
import { WorkerTokenVerifier } from '../../../packages/key-service/src/auth/worker-token-verifier.js';
import {
  createKeyService,
  createPgPool,
  loadKeyServiceConfig,
  migrate,
} from '../../../packages/key-service/src/index.js';
import { registerBaselineRoute } from './baseline-route.js';
import { startDurablePostgres } from './durable-postgres.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, '../../..');

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    rates: { type: 'string', default: '100,250' },
    tenants: { type: 'string', default: '1000' },
    harness: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const rates = values.rates.split(',').map(Number);
const tenantCount = Number(values.tenants);

interface Summary {
  /** Service process CPU (user + system) per request, microseconds. */
  serviceCpuUsPerRequest?: number;
  /** PostgreSQL backends' CPU per request, microseconds (durable mode only). */
  postgresCpuUsPerRequest?: number;
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

let pgCpu: (() => Promise<number>) | undefined;

async function load(job: Record<string, unknown>): Promise<Summary> {
  const cpuBefore = process.cpuUsage();
  const pgBefore = pgCpu ? await pgCpu() : 0;
  const summary = await loadOnce(job);
  const cpu = process.cpuUsage(cpuBefore);
  const pgAfter = pgCpu ? await pgCpu() : 0;
  return {
    ...summary,
    serviceCpuUsPerRequest: (cpu.user + cpu.system) / summary.requests,
    ...(pgCpu ? { postgresCpuUsPerRequest: ((pgAfter - pgBefore) * 1e6) / summary.requests } : {}),
  };
}

function loadOnce(job: Record<string, unknown>): Promise<Summary> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(here, 'load-generator.ts'), JSON.stringify(job)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.once('exit', (code) =>
      code === 0
        ? resolvePromise(JSON.parse(out) as Summary)
        : reject(new Error(`load generator exited ${String(code)}`)),
    );
  });
}

const dir = await mkdtemp(join(tmpdir(), 'bench-key-acquire-'));
const pgServer = values.harness ? await startPostgres() : await startDurablePostgres(await freePort());
const pgSettings = pgServer.settings;
if ('cpuSeconds' in pgServer) pgCpu = () => pgServer.cpuSeconds();
try {
  const kekFile = join(dir, 'kek.json');
  await writeFile(
    kekFile,
    JSON.stringify({
      currentVersion: 1,
      minimumDecryptionVersion: 1,
      keys: [{ version: 1, key: randomBytes(32).toString('base64') }],
    }),
  );
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwksFile = join(dir, 'jwks.json');
  await writeFile(
    jwksFile,
    JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256' }] }),
  );
  const adminToken = randomBytes(32).toString('base64url');
  const config = loadKeyServiceConfig({
    KEY_SERVICE_HOST: '127.0.0.1',
    KEY_SERVICE_PORT: '0',
    KEY_SERVICE_METRICS_PORT: '0',
    KEY_SERVICE_PG_HOST: pgSettings.host,
    KEY_SERVICE_PG_PORT: String(pgSettings.port),
    KEY_SERVICE_PG_DATABASE: pgSettings.database,
    KEY_SERVICE_PG_USER: pgSettings.user,
    KEY_SERVICE_PG_PASSWORD: pgSettings.password,
    KEY_SERVICE_KEK_FILE: kekFile,
    KEY_SERVICE_JWKS_FILE: jwksFile,
    KEY_SERVICE_ALLOWED_SUBJECTS: 'system:serviceaccount:apexseo:eeat-worker',
    KEY_SERVICE_ADMIN_TOKEN_SHA256: createHash('sha256').update(adminToken).digest('hex'),
    KEY_SERVICE_RATE_LIMIT_PER_SECOND: '1000000',
    KEY_SERVICE_RATE_LIMIT_BURST: '1000000',
  });
  const migratePool = createPgPool({ ...config.postgres, poolSize: 1 });
  await migrate(migratePool);
  await migratePool.end();

  // Production log level (info, one line per request), written to /dev/null so the terminal is not the bottleneck.
  const service = await createKeyService(config, {
    logStream: pino.destination({ dest: '/dev/null', sync: false }),
  });
  const verifier = new WorkerTokenVerifier({
    jwks: config.jwks,
    issuer: config.tokenIssuer,
    audience: config.tokenAudience,
    allowedSubjects: config.allowedSubjects,
  });
  registerBaselineRoute(service.api, service.pool, verifier);
  const { apiUrl } = await service.start();

  const tenants = Array.from({ length: tenantCount }, (_, i) => `bench-tenant-${i}`);
  for (let i = 0; i < tenants.length; i += 20) {
    await Promise.all(
      tenants.slice(i, i + 20).map(async (tenantId) => {
        const res = await fetch(`${apiUrl}/v1/tenants/${tenantId}/keys/openai`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ apiKey: `sk-proj-${randomBytes(40).toString('hex')}` }),
        });
        if (res.status !== 200) throw new Error(`seeding failed: ${res.status}`);
      }),
    );
  }
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
    .setIssuer(config.tokenIssuer)
    .setAudience(config.tokenAudience)
    .setSubject('system:serviceaccount:apexseo:eeat-worker')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(privateKey);

  const origin = apiUrl;
  const base = { origin, token, tenants, provider: 'openai', connections: 16 };
  const routes = { acquire: '/v1/keys/acquire', baseline: '/bench/baseline' } as const;
  type RouteName = keyof typeof routes;
  const order: RouteName[] = ['baseline', 'acquire', 'acquire', 'baseline'];

  process.stderr.write(`warm-up...\n`);
  for (const name of ['baseline', 'acquire'] as const)
    await load({ ...base, path: routes[name], seconds: 5, mode: 'rate', rate: 200 });

  const mean = (xs: (number | undefined)[]) => xs.reduce<number>((n, x) => n + (x ?? 0), 0) / xs.length;
  const merge = (a: Summary[]): Summary => ({
    serviceCpuUsPerRequest: mean(a.map((s) => s.serviceCpuUsPerRequest)),
    ...(pgCpu ? { postgresCpuUsPerRequest: mean(a.map((s) => s.postgresCpuUsPerRequest)) } : {}),
    requests: a.reduce((n, s) => n + s.requests, 0),
    errors: a.reduce((n, s) => n + s.errors, 0),
    statuses: {},
    rps: a.reduce((n, s) => n + s.rps, 0) / a.length,
    p50: a.reduce((n, s) => n + s.p50, 0) / a.length,
    p90: a.reduce((n, s) => n + s.p90, 0) / a.length,
    p99: a.reduce((n, s) => n + s.p99, 0) / a.length,
    max: Math.max(...a.map((s) => s.max)),
  });

  const results: Record<string, Record<RouteName, Summary>> = {};
  for (const inFlight of [1, 32]) {
    const closed: Record<RouteName, Summary[]> = { acquire: [], baseline: [] };
    for (const name of order) {
      process.stderr.write(`closed loop, ${inFlight} in flight: ${name}\n`);
      closed[name].push(await load({ ...base, path: routes[name], seconds, mode: 'closed', inFlight }));
    }
    results[`closed${inFlight}`] = { acquire: merge(closed.acquire), baseline: merge(closed.baseline) };
  }

  for (const rate of rates) {
    const runs: Record<RouteName, Summary[]> = { acquire: [], baseline: [] };
    for (const name of order) {
      process.stderr.write(`open loop ${rate}/s: ${name}\n`);
      runs[name].push(await load({ ...base, path: routes[name], seconds, mode: 'rate', rate }));
    }
    results[`rate${rate}`] = { acquire: merge(runs.acquire), baseline: merge(runs.baseline) };
  }

  await service.stop();

  const f = (n: number) => n.toFixed(2);
  const lines = [
    '| load | route | requests | errors | req/s | p50 ms | p90 ms | p99 ms | max ms | service CPU µs/req | Postgres CPU µs/req |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const [label, pair] of Object.entries(results)) {
    for (const name of ['baseline', 'acquire'] as const) {
      const s = pair[name];
      lines.push(
        `| ${label} | ${name} | ${s.requests} | ${s.errors} | ${s.rps.toFixed(0)} | ${f(s.p50)} | ${f(s.p90)} | ${f(s.p99)} | ${f(s.max)} | ${(s.serviceCpuUsPerRequest ?? 0).toFixed(0)} | ${s.postgresCpuUsPerRequest === undefined ? 'n/a' : s.postgresCpuUsPerRequest.toFixed(0)} |`,
      );
    }
    lines.push(
      `| ${label} | **acquire / baseline** | | | ${(pair.acquire.rps / pair.baseline.rps).toFixed(2)}x | ${(pair.acquire.p50 / pair.baseline.p50).toFixed(2)}x | | **${(pair.acquire.p99 / pair.baseline.p99).toFixed(2)}x** | | | |`,
    );
  }
  const table = lines.join('\n');
  process.stdout.write(`${table}\n`);
  const resultsDir = join(ROOT, 'bench/key-acquire/results');
  await mkdir(resultsDir, { recursive: true });
  await writeFile(
    join(resultsDir, values.harness ? 'harness-postgres.json' : 'durable-postgres.json'),
    JSON.stringify(
      {
        at: new Date().toISOString(),
        node: process.version,
        postgres: values.harness ? 'harness (fsync off)' : 'durable (fsync on)',
        seconds,
        rates,
        tenants: tenantCount,
        results,
      },
      null,
      2,
    ),
  );
} finally {
  await pgServer.stop();
  await rm(dir, { recursive: true, force: true });
}
