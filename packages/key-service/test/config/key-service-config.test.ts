import { describe, expect, it } from 'vitest';
import {
  KeyServiceConfigError,
  loadKeyServiceConfig,
  loadPostgresConfig,
  parseKmsKeyIds,
} from '../../src/config/key-service-config.js';

const base = {
  KEY_SERVICE_KEK_FILE: '/etc/apexseo/kek.json',
  KEY_SERVICE_JWKS_FILE: '/etc/apexseo/jwks.json',
  KEY_SERVICE_ALLOWED_SUBJECTS: 'system:serviceaccount:apexseo:eeat-worker',
  KEY_SERVICE_ADMIN_TOKEN_SHA256: 'a'.repeat(64),
};

function issues(env: Record<string, string>): string {
  try {
    loadKeyServiceConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(KeyServiceConfigError);
    return (error as Error).message;
  }
  throw new Error('configuration should have been rejected');
}

describe('key-service configuration', () => {
  it('should apply the documented defaults', () => {
    const config = loadKeyServiceConfig(base);
    expect(config).toMatchObject({
      port: 8080,
      metricsPort: 9464,
      tokenIssuer: 'https://kubernetes.default.svc',
      tokenAudience: 'apexseo-key-service',
      kek: { provider: 'local', file: '/etc/apexseo/kek.json' },
      breaker: { failureThreshold: 5, cooldownSeconds: 30, probeLeaseSeconds: 30 },
    });
  });

  it('should require the admin token digest and name the variable, not the value', () => {
    const message = issues({ ...base, KEY_SERVICE_ADMIN_TOKEN_SHA256: 'my-plain-admin-token' });
    expect(message).toContain('KEY_SERVICE_ADMIN_TOKEN_SHA256');
    expect(message).not.toContain('my-plain-admin-token');
  });

  it('should reject a subject that is not a service account', () => {
    expect(issues({ ...base, KEY_SERVICE_ALLOWED_SUBJECTS: 'admin' })).toContain(
      'KEY_SERVICE_ALLOWED_SUBJECTS',
    );
  });

  it('should require a key set source', () => {
    const rest: Record<string, string> = { ...base };
    delete rest.KEY_SERVICE_JWKS_FILE;
    expect(issues(rest)).toContain('KEY_SERVICE_JWKS_URL or KEY_SERVICE_JWKS_FILE');
  });

  it('should require a KMS key id and region for the aws-kms provider', () => {
    const message = issues({ ...base, KEY_SERVICE_KEK_PROVIDER: 'aws-kms' });
    expect(message).toContain('KEY_SERVICE_AWS_KMS_KEY_ID');
    expect(message).toContain('AWS_REGION');
  });

  it('should read a KMS key ring with versions', () => {
    const config = loadKeyServiceConfig({
      ...base,
      KEY_SERVICE_KEK_PROVIDER: 'aws-kms',
      AWS_REGION: 'eu-west-1',
      KEY_SERVICE_AWS_KMS_KEY_ID: '1=alias/a,2=alias/b',
    });
    expect(config.kek).toMatchObject({
      provider: 'aws-kms',
      keyIds: new Map([
        [1, 'alias/a'],
        [2, 'alias/b'],
      ]),
    });
  });

  it('should treat empty variables as unset', () => {
    expect(loadKeyServiceConfig({ ...base, KEY_SERVICE_PORT: '' }).port).toBe(8080);
  });

  it('should load the migrate settings from the database variables alone (the hook Job has nothing else)', () => {
    const { postgres } = loadPostgresConfig({
      KEY_SERVICE_PG_HOST: 'db.internal',
      KEY_SERVICE_PG_PORT: '6432',
      KEY_SERVICE_PG_SSLMODE: 'verify-full',
    });
    expect(postgres).toMatchObject({ host: 'db.internal', port: 6432, sslmode: 'verify-full' });
  });

  it('should parse a single key id as version 1 and a ring as numbered versions', () => {
    expect(parseKmsKeyIds('alias/apexseo')).toEqual(new Map([[1, 'alias/apexseo']]));
    expect(parseKmsKeyIds('1=arn:aws:kms:eu-west-1:1:key/a,2=arn:aws:kms:eu-west-1:1:key/b')).toEqual(
      new Map([
        [1, 'arn:aws:kms:eu-west-1:1:key/a'],
        [2, 'arn:aws:kms:eu-west-1:1:key/b'],
      ]),
    );
  });
});
