import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LlmCallError, TenantKey } from '../../src/index.js';
import { sendAnthropic } from '../../src/llm/anthropic-transport.js';
import type { ProviderRequest } from '../../src/llm/llm-types.js';
import { sendOpenAi } from '../../src/llm/openai-transport.js';
import {
  startLlmStandIn,
  type LlmStandIn,
  type ScriptedAnswer,
} from '../../../../test/stand-ins/llm-provider.js';

const SECRET = 'sk-transport-test-key-000111';
const providers = [
  { name: 'openai', send: sendOpenAi, model: 'gpt-4o-mini' },
  { name: 'anthropic', send: sendAnthropic, model: 'claude-haiku-4-5' },
] as const;

let llm: LlmStandIn;
const dispatcher = new Agent();

beforeAll(async () => {
  llm = await startLlmStandIn();
});
afterAll(async () => {
  await llm.close();
  await dispatcher.close();
});
beforeEach(() => llm.reset());

const request: ProviderRequest = {
  model: 'm',
  maxTokens: 64,
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: 'hi' },
  ],
};

async function failure(
  p: (typeof providers)[number],
  answer: ScriptedAnswer,
  timeoutMs = 5_000,
): Promise<LlmCallError> {
  const key = new TenantKey({ tenantId: 't', provider: p.name, keyVersion: 1, apiKey: SECRET });
  llm.script(SECRET, answer);
  try {
    await p.send(dispatcher, llm.url, key, { ...request, model: p.model }, timeoutMs);
  } catch (err) {
    if (err instanceof LlmCallError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe.each(providers)('$name transport against the wire-format stand-in', (p) => {
  it('should return the text of a successful chat answer', async () => {
    const key = new TenantKey({ tenantId: 't', provider: p.name, keyVersion: 1, apiKey: SECRET });
    llm.script(SECRET, { kind: 'ok', text: 'hello there' });
    const answer = await p.send(dispatcher, llm.url, key, { ...request, model: p.model }, 5_000);
    expect(answer.text).toBe('hello there');
    expect(llm.calls(SECRET)).toBe(1);
  });

  it('should send the JSON schema and return the structured object', async () => {
    const key = new TenantKey({ tenantId: 't', provider: p.name, keyVersion: 1, apiKey: SECRET });
    llm.script(SECRET, { kind: 'ok', json: { score: 42 } });
    const schema = z.toJSONSchema(z.object({ score: z.number() }));
    const answer = await p.send(
      dispatcher,
      llm.url,
      key,
      { ...request, model: p.model, jsonSchema: { name: 'score', schema, strict: true } },
      5_000,
    );
    expect(answer.structured).toEqual({ score: 42 });
    const sent = llm.requests(SECRET)[0]?.body as Record<string, unknown>;
    expect(JSON.stringify(sent)).toContain('"score"');
  });

  it('should classify 401 as an auth_failure key failure', async () => {
    const err = await failure(p, { kind: 'auth_error' });
    expect([err.type, err.errorClass, err.keyFailure, err.status]).toEqual([
      'LlmKeyRejected',
      'auth_failure',
      true,
      401,
    ]);
  });

  it('should classify quota exhaustion as quota_exhausted, a key failure', async () => {
    const err = await failure(p, { kind: 'quota_exhausted' });
    expect([err.errorClass, err.keyFailure]).toEqual(['quota_exhausted', true]);
  });

  it('should classify 429 as rate_limited and keep retry-after', async () => {
    const err = await failure(p, { kind: 'rate_limited', retryAfterSeconds: 7 });
    expect([err.type, err.errorClass, err.keyFailure, err.retryAfterSeconds]).toEqual([
      'LlmRateLimited',
      'rate_limited',
      true,
      7,
    ]);
  });

  it('should classify overload as transient and not a key failure', async () => {
    const err = await failure(p, { kind: 'overloaded' });
    expect([err.keyFailure, err.transient]).toEqual([false, true]);
    expect(err.errorClass).toBe(p.name === 'anthropic' ? 'overloaded' : 'server_error');
  });

  it('should classify 5xx as server_error, not a key failure', async () => {
    const err = await failure(p, { kind: 'server_error', status: 502 });
    expect([err.errorClass, err.keyFailure, err.transient, err.status]).toEqual([
      'server_error',
      false,
      true,
      502,
    ]);
  });

  it('should classify malformed JSON as invalid_response', async () => {
    const err = await failure(p, { kind: 'malformed' });
    expect([err.type, err.errorClass, err.keyFailure]).toEqual([
      'LlmInvalidResponse',
      'invalid_response',
      false,
    ]);
  });

  it('should classify a slow answer past the timeout as timeout', async () => {
    const err = await failure(p, { kind: 'ok', delayMs: 1_500 }, 300);
    expect([err.errorClass, err.keyFailure]).toEqual(['timeout', false]);
  });

  it('should classify 400 as bad_request, not a key failure', async () => {
    const err = await failure(p, { kind: 'bad_request' });
    expect([err.type, err.errorClass, err.keyFailure]).toEqual(['LlmBadRequest', 'bad_request', false]);
  });

  it('should never put the key in the error message', async () => {
    const err = await failure(p, { kind: 'auth_error' });
    expect(`${err.message} ${JSON.stringify(err)}`).not.toContain(SECRET);
  });
});
