/**
 * Development tokens (minted by the SDK's local kit for `apexseo-dev` and the testing kit) must never open the
 * production key service: the issuer cannot be configured, and the verifier refuses a token naming it even when
 * everything else about it would pass (signed by a key in the key set, right audience, allowed subject).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_TOKEN_ISSUER as SDK_DEV_TOKEN_ISSUER } from '../../../worker-sdk/src/testing/dev-token.js';
import { WorkerAuthError, WorkerTokenVerifier } from '../../src/auth/worker-token-verifier.js';
import {
  DEV_TOKEN_ISSUER,
  KeyServiceConfigError,
  loadKeyServiceConfig,
} from '../../src/config/key-service-config.js';

const SUBJECT = 'system:serviceaccount:apexseo:eeat-worker';
let dir: string;
let sign: (issuer: string) => Promise<string>;
let jwksFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apexseo-dev-token-'));
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  jwksFile = join(dir, 'jwks.json');
  await writeFile(
    jwksFile,
    JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] }),
  );
  sign = (issuer) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience('apexseo-key-service')
      .setSubject(SUBJECT)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('local development tokens', () => {
  it('should name the same issuer as the SDK kit that mints them', () => {
    expect(DEV_TOKEN_ISSUER).toBe(SDK_DEV_TOKEN_ISSUER);
  });

  it('should refuse the development issuer as the configured token issuer', () => {
    const attempt = () =>
      loadKeyServiceConfig({
        KEY_SERVICE_KEK_FILE: '/etc/apexseo/kek.json',
        KEY_SERVICE_JWKS_FILE: jwksFile,
        KEY_SERVICE_ALLOWED_SUBJECTS: SUBJECT,
        KEY_SERVICE_ADMIN_TOKEN_SHA256: 'a'.repeat(64),
        KEY_SERVICE_TOKEN_ISSUER: DEV_TOKEN_ISSUER,
      });
    expect(attempt).toThrow(KeyServiceConfigError);
    expect(attempt).toThrow(/KEY_SERVICE_TOKEN_ISSUER/);
  });

  it('should refuse a development token even from a verifier whose key set and issuer would accept it', async () => {
    const verifier = new WorkerTokenVerifier({
      jwks: { file: jwksFile },
      issuer: DEV_TOKEN_ISSUER,
      audience: 'apexseo-key-service',
      allowedSubjects: [SUBJECT],
    });
    const refusal = await verifier.verify(`Bearer ${await sign(DEV_TOKEN_ISSUER)}`).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(WorkerAuthError);
    expect((refusal as WorkerAuthError).type).toBe('unauthenticated');
    // The same token with a cluster issuer passes a verifier configured for it: the refusal is about the issuer.
    const cluster = new WorkerTokenVerifier({
      jwks: { file: jwksFile },
      issuer: 'https://kubernetes.default.svc',
      audience: 'apexseo-key-service',
      allowedSubjects: [SUBJECT],
    });
    await expect(
      cluster.verify(`Bearer ${await sign('https://kubernetes.default.svc')}`),
    ).resolves.toMatchObject({
      subject: SUBJECT,
    });
  });
});
