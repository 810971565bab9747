import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalysisEngine } from '../../src/activities/analysis-engine.js';
import type { AuditEngine } from '../../src/activities/audit-engine.js';
import { InvalidPrivateHostsError, PrivateHostAllowance } from '../../src/fetch/private-host-allowance.js';
import { buildAuditInput, InvalidAuditRequestError } from '../../src/routing/start-audit.js';

let server: Server;
let origin: string;
let hits = 0;
const engines: AuditEngine[] = [];

beforeAll(async () => {
  server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Internal</title><p>secret</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function engine(privateHosts: PrivateHostAllowance): AuditEngine {
  const created = createAnalysisEngine({ privateHosts, analysis: { threads: 1 } });
  engines.push(created);
  return created;
}

describe('PrivateHostAllowance', () => {
  it('should permit only the host:port entries it was configured with, a * port matching any port', () => {
    const allowance = PrivateHostAllowance.parse('127.0.0.1:*, [::1]:8080');
    expect(allowance.permits('127.0.0.1:4321')).toBe(true);
    expect(allowance.permits('[::1]:8080')).toBe(true);
    expect(allowance.permits('[::1]:8081')).toBe(false);
    expect(allowance.permits('169.254.169.254:80')).toBe(false);
    expect(allowance.permits('localhost:4321')).toBe(false);
  });

  it('should permit nothing by default', () => {
    expect(PrivateHostAllowance.fromEnv({}).permits('127.0.0.1:4321')).toBe(false);
  });

  it('should refuse a malformed setting, naming the variable and the entry', () => {
    expect(() => PrivateHostAllowance.parse('127.0.0.1')).toThrow(InvalidPrivateHostsError);
    expect(() => PrivateHostAllowance.parse('127.0.0.1')).toThrow(/APEXSEO_FETCH_PRIVATE_HOSTS: "127.0.0.1"/);
  });
});

describe('allowHosts is operator configuration, not audit input', () => {
  const request = { tenantId: 't1', plan: 'mrr' as const, siteUrl: 'https://example.com/' };

  it.each([
    '169.254.169.254:80',
    '10.0.0.5:443',
    'kubernetes.default.svc:443',
    '127.0.0.1:8080',
    'intranet:80',
  ])('should refuse to start an audit that asks for %s without an allowance', (hostPort) => {
    expect(() =>
      buildAuditInput({ ...request, allowHosts: [hostPort] }, { privateHosts: PrivateHostAllowance.none() }),
    ).toThrow(InvalidAuditRequestError);
    expect(() =>
      buildAuditInput({ ...request, allowHosts: [hostPort] }, { privateHosts: PrivateHostAllowance.none() }),
    ).toThrow(/allowHosts\.0: .* is not permitted/);
  });

  it('should start an audit that asks for a destination the allowance permits', () => {
    const input = buildAuditInput(
      { ...request, allowHosts: ['127.0.0.1:4321'] },
      { privateHosts: PrivateHostAllowance.parse('127.0.0.1:*') },
    );
    expect(input.allowHosts).toEqual(['127.0.0.1:4321']);
  });

  it('should make a worker without an allowance ignore an audit input that asks for loopback', async () => {
    const before = hits;
    const collected = await engine(PrivateHostAllowance.none()).collect(`${origin}/`, {
      siteUrl: `${origin}/`,
      allowHosts: [new URL(origin).host],
      signal: new AbortController().signal,
    });
    expect(collected.ok ? 'audited' : `${collected.outcome.kind}: ${collected.outcome.reason}`).toBe(
      'error: blocked_address',
    );
    expect(hits).toBe(before);
  });

  it('should let a worker started with an allowance fetch the permitted loopback site', async () => {
    const collected = await engine(PrivateHostAllowance.parse('127.0.0.1:*')).collect(`${origin}/`, {
      siteUrl: `${origin}/`,
      allowHosts: [new URL(origin).host],
      signal: new AbortController().signal,
    });
    expect(collected.ok && collected.facts.title).toBe('Internal');
  });
});
