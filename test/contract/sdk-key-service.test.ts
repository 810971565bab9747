/**
 * The contract between the worker SDK and the key service. The two ship separately and share no code (the key
 * service must not pull in the SDK's Temporal dependencies), so each spells the contract's words on its own side:
 * this test pins them together. The SDK's lists are type-checked maps (a word added to or removed from an SDK union
 * fails the type check); the key service's are its runtime constants; and a real key service answers the real SDK
 * client for every word.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTCOMES, PROVIDERS } from '../../packages/key-service/src/index.js';
import {
  KeyServiceClient,
  ServiceAccountToken,
  type KeyOutcome,
  type LlmErrorClass,
  type LlmProvider,
} from '../../packages/worker-sdk/src/index.js';
import { createDatabase, useServices } from '../harness/index.js';
import { startKeyService, type RunningKeyService } from '../harness/key-service.js';

const sdkOutcomes = {
  success: true,
  auth_failure: true,
  quota_exhausted: true,
  rate_limited: true,
  server_error: true,
  overloaded: true,
  timeout: true,
  bad_request: true,
} as const satisfies Record<KeyOutcome, true>;

const sdkProviders = { openai: true, anthropic: true } as const satisfies Record<LlmProvider, true>;

const sdkErrorClasses = {
  auth_failure: true,
  quota_exhausted: true,
  rate_limited: true,
  server_error: true,
  overloaded: true,
  timeout: true,
  bad_request: true,
  invalid_response: true,
} as const satisfies Record<LlmErrorClass, true>;

const sorted = (words: Iterable<string>): string[] => [...words].sort();

describe('the words the SDK and the key service share', () => {
  it('should name exactly the key outcomes the key service accepts', () => {
    expect(sorted(Object.keys(sdkOutcomes))).toEqual(sorted(OUTCOMES));
  });

  it('should name exactly the providers the key service stores keys for', () => {
    expect(sorted(Object.keys(sdkProviders))).toEqual(sorted(PROVIDERS));
  });

  it("should count LLM errors by the key service's failure outcomes plus invalid_response", () => {
    expect(sorted(Object.keys(sdkErrorClasses))).toEqual(
      sorted([...OUTCOMES.filter((o) => o !== 'success'), 'invalid_response']),
    );
  });
});

describe('the SDK client against a real key service', () => {
  let keys: RunningKeyService;
  let dir: string;
  let client: KeyServiceClient;

  async function putKey(tenantId: string, provider: LlmProvider): Promise<number> {
    const response = await fetch(`${keys.url}/v1/tenants/${tenantId}/keys/${provider}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${keys.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: `sk-contract-${tenantId}-${provider}` }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { keyVersion: number }).keyVersion;
  }

  beforeAll(async () => {
    await useServices('postgres');
    keys = await startKeyService({ postgres: await createDatabase('sdk_contract') });
    dir = await mkdtemp(join(tmpdir(), 'apexseo-sdk-contract-'));
    client = new KeyServiceClient({
      url: keys.url,
      token: new ServiceAccountToken(await keys.writeTokenFile(dir)),
    });
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await keys?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(Object.keys(sdkProviders) as LlmProvider[])(
    'should acquire and read the status of an %s key with answers the client validates',
    async (provider) => {
      const keyVersion = await putKey(`contract-${provider}`, provider);
      const acquired = await client.acquire(`contract-${provider}`, provider);
      expect(acquired.key.keyVersion).toBe(keyVersion);
      expect(await client.status(`contract-${provider}`, provider)).toMatchObject({
        state: 'closed',
        paused: false,
      });
    },
  );

  it.each(Object.keys(sdkOutcomes) as KeyOutcome[])(
    'should have the outcome %s accepted, with an answer the client validates',
    async (outcome) => {
      const tenantId = `contract-${outcome}`;
      const keyVersion = await putKey(tenantId, 'openai');
      const answer = await client.report({ tenantId, provider: 'openai', keyVersion, outcome });
      expect(answer).toMatchObject({ state: 'closed', tripped: false });
    },
  );
});
