import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOutcome } from '../../src/audit-model.js';
import type { HostResolver } from '../../src/fetch/guarded-connector.js';
import { SafeFetcher } from '../../src/fetch/safe-fetcher.js';

/** A throwaway CA and a leaf certificate for `secure.test`, made with the openssl CLI. */
function makeCertificates(dir: string): { ca: string; key: string; cert: string } {
  const run = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-subj',
    '/CN=ApexSEO test CA',
    '-days',
    '2',
  );
  run('req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=secure.test');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:secure.test\n');
  run(
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'leaf.crt',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  );
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  return { ca: read('ca.crt'), key: read('leaf.key'), cert: read('leaf.crt') };
}

let dir: string;
let server: Server;
let port: number;
let ca: string;
const toLoopback: HostResolver = () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eeat-tls-'));
  const certs = makeCertificates(dir);
  ca = certs.ca;
  server = createServer({ key: certs.key, cert: certs.cert }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>over TLS</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function fetcher(withCa: boolean): SafeFetcher {
  return new SafeFetcher({
    resolver: toLoopback,
    allowHosts: [`127.0.0.1:${port}`],
    totalTimeoutMs: 5_000,
    ...(withCa ? { ca } : {}),
  });
}

describe('TLS to a pinned address', () => {
  it('should verify the certificate against the host name while connecting to the checked address', async () => {
    const client = fetcher(true);
    const result = await client.fetchPage(`https://secure.test:${port}/`);
    await client.close();
    expect(result.ok && result.page.body).toBe('<h1>over TLS</h1>');
    expect(result.ok && result.page.remoteAddress).toBe('127.0.0.1');
  });

  it('should refuse a certificate issued for another name', async () => {
    const client = fetcher(true);
    const result = await client.fetchPage(`https://other.test:${port}/`);
    await client.close();
    expect(result.ok ? 'audited' : describeOutcome(result.outcome)).toBe('error: connection failed');
  });

  it('should refuse a certificate from an untrusted CA', async () => {
    const client = fetcher(false);
    const result = await client.fetchPage(`https://secure.test:${port}/`);
    await client.close();
    expect(result.ok ? 'audited' : describeOutcome(result.outcome)).toBe('error: connection failed');
  });
});
