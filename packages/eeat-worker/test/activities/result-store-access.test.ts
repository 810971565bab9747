import { ApplicationFailure } from '@temporalio/common';
import { Neo4jError } from 'neo4j-driver';
import { describe, expect, it } from 'vitest';
import { fromStores } from '../../src/activities/result-store-access.js';
import { InvalidKeyError } from '../../src/storage/storage-errors.js';

async function failureOf(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await fromStores(call);
  } catch (err) {
    return err;
  }
  throw new Error('fromStores resolved');
}

describe('fromStores', () => {
  it('should turn a store client’s connection error into the retryable ResultStoreUnavailable', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
    const failure = await failureOf(() => Promise.reject(refused));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({
      type: 'ResultStoreUnavailable',
      nonRetryable: false,
      message: 'result store: connect ECONNREFUSED 127.0.0.1:8123',
      cause: refused,
    });
  });

  it('should count Neo4j being unavailable as a store outage', async () => {
    const unavailable = new Neo4jError('no server', 'ServiceUnavailable', '08000', 'connection exception');
    expect(await failureOf(() => Promise.reject(unavailable))).toMatchObject({
      type: 'ResultStoreUnavailable',
    });
  });

  it('should pass a statement Neo4j refused through unchanged (a retry of the same page cannot change it)', async () => {
    const refused = new Neo4jError('bad', 'Neo.ClientError.Statement.SyntaxError', '42001', 'syntax error');
    expect(await failureOf(() => Promise.reject(refused))).toBe(refused);
  });

  it('should pass a key refused before the store and failures raised on purpose through unchanged', async () => {
    const badKey = new InvalidKeyError('tenantId', 'must match the tenant id pattern');
    expect(await failureOf(() => Promise.reject(badKey))).toBe(badKey);
    const missing = ApplicationFailure.nonRetryable('no collected facts', 'FactsMissing');
    expect(await failureOf(() => Promise.reject(missing))).toBe(missing);
  });

  it('should return what the store call returns', async () => {
    await expect(fromStores(() => Promise.resolve(42))).resolves.toBe(42);
  });
});
