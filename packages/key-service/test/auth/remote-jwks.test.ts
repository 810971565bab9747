import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerAuthError, WorkerTokenVerifier } from '../../src/auth/worker-token-verifier.js';

const run = promisify(execFile);
const subject = 'system:serviceaccount:apexseo:eeat-worker';
let dir: string;
let server: Server;
let url: string;
let sign: (sub?: string) => Promise<string>;
const readerToken = 'reader-token-rotating-1';
let requestsWithToken = 0;

/**
 * The in-cluster JWKS endpoint is HTTPS with the cluster's own CA and wants a bearer token: this
 * serves a key set the same way (self-signed CA, token required) and points the verifier at it.
 */
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ks-jwks-'));
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'ca.crt'),
  ]);
  await writeFile(join(dir, 'token'), `${readerToken}\n`);
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] });
  server = createServer(
    { key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'ca.crt')) },
    (req, res) => {
      if (req.headers.authorization !== `Bearer ${readerToken}`) {
        res.writeHead(401).end();
        return;
      }
      requestsWithToken += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/openid/v1/jwks`;
  sign = (sub = subject) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer('https://kubernetes.default.svc')
      .setAudience('apexseo-key-service')
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
});

afterAll(async () => {
  await new Promise<void>((r) => server?.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

function verifier(withCa: boolean, withToken: boolean): WorkerTokenVerifier {
  return new WorkerTokenVerifier({
    jwks: { url },
    issuer: 'https://kubernetes.default.svc',
    audience: 'apexseo-key-service',
    allowedSubjects: [subject],
    jwksCaFile: withCa ? join(dir, 'ca.crt') : undefined,
    jwksTokenFile: withToken ? join(dir, 'token') : undefined,
  });
}

describe('JWKS from the cluster URL', () => {
  it('should verify a token against a key set fetched over HTTPS with the cluster CA and a bearer token', async () => {
    const identity = await verifier(true, true).verify(`Bearer ${await sign()}`);
    expect(identity.subject).toBe(subject);
    expect(requestsWithToken).toBeGreaterThan(0);
  });

  it('should report the key set unavailable (503, not 401) when its server is not trusted', async () => {
    const error = await verifier(false, true)
      .verify(`Bearer ${await sign()}`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerAuthError);
    expect((error as WorkerAuthError).type).toBe('key_set_unavailable');
  });

  it('should report the key set unavailable when it cannot be read without the bearer token', async () => {
    const error = await verifier(true, false)
      .verify(`Bearer ${await sign()}`)
      .catch((e: unknown) => e);
    expect((error as WorkerAuthError).type).toBe('key_set_unavailable');
  });

  it('should report the key set unavailable when nothing answers at its URL', async () => {
    const closed = new WorkerTokenVerifier({
      jwks: { url: 'https://127.0.0.1:9/openid/v1/jwks' },
      issuer: 'https://kubernetes.default.svc',
      audience: 'apexseo-key-service',
      allowedSubjects: [subject],
    });
    const error = await closed.verify(`Bearer ${await sign()}`).catch((e: unknown) => e);
    expect((error as WorkerAuthError).type).toBe('key_set_unavailable');
    expect((error as WorkerAuthError).message).toBe('cannot verify tokens right now');
  });

  it('should still refuse (401) a token signed by a key that is not in the reachable key set', async () => {
    const { privateKey: stranger } = await generateKeyPair('ES256');
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer('https://kubernetes.default.svc')
      .setAudience('apexseo-key-service')
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(stranger);
    const error = await verifier(true, true)
      .verify(`Bearer ${forged}`)
      .catch((e: unknown) => e);
    expect((error as WorkerAuthError).type).toBe('unauthenticated');
  });

  it('should refuse (403) a verified subject that is not allowed', async () => {
    const error = await verifier(true, true)
      .verify(`Bearer ${await sign('system:serviceaccount:apexseo:other')}`)
      .catch((e: unknown) => e);
    expect((error as WorkerAuthError).type).toBe('forbidden');
  });
});
