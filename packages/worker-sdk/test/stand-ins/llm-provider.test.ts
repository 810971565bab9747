import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLlmStandIn, type LlmStandIn } from '../../../../test/stand-ins/llm-provider.js';

let llm: LlmStandIn;
beforeAll(async () => {
  llm = await startLlmStandIn();
});
afterAll(() => llm.close());
beforeEach(() => llm.reset());

async function post(
  path: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<{ status: number; headers: Record<string, unknown>; json: unknown }> {
  const res = await request(`${llm.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, json: JSON.parse(text) as unknown };
}

const anthropicBody = {
  model: 'claude-haiku-4-5',
  max_tokens: 16,
  messages: [{ role: 'user', content: 'hi' }],
};
const openAiBody = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

describe('LLM provider stand-in', () => {
  it('should answer scripted responses in order per key, then the default, counting calls per key', async () => {
    llm.script('key-a', { kind: 'rate_limited', retryAfterSeconds: 3 });
    const first = await post('/v1/chat/completions', { authorization: 'Bearer key-a' }, openAiBody);
    const second = await post('/v1/chat/completions', { authorization: 'Bearer key-a' }, openAiBody);
    await post('/v1/chat/completions', { authorization: 'Bearer key-b' }, openAiBody);
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('3');
    expect(second.status).toBe(200);
    expect([llm.calls('key-a'), llm.calls('key-b'), llm.calls()]).toEqual([2, 1, 3]);
  });

  it('should reject an Anthropic request without anthropic-version with an invalid_request_error', async () => {
    const res = await post('/v1/messages', { 'x-api-key': 'key-a' }, anthropicBody);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('should answer 529 overloaded_error in the Anthropic error shape', async () => {
    llm.script('key-a', { kind: 'overloaded' });
    const res = await post(
      '/v1/messages',
      { 'x-api-key': 'key-a', 'anthropic-version': '2023-06-01' },
      anthropicBody,
    );
    expect(res.status).toBe(529);
    expect(res.json).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
  });

  it('should answer a missing OpenAI key with 401 invalid_api_key', async () => {
    const res = await post('/v1/chat/completions', {}, openAiBody);
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error: { code: 'invalid_api_key' } });
  });
});
