import type { Agent } from 'undici';
import { z } from 'zod';
import { revealTenantKey, type TenantKey } from '../keys/tenant-key.js';
import type { ProviderAnswer, ProviderRequest } from './llm-types.js';
import { classifyProviderError, invalidAnswer, postProvider } from './provider-http.js';

/** The Messages API version header this client speaks. */
export const ANTHROPIC_VERSION = '2023-06-01';

const message = z
  .object({
    type: z.literal('message'),
    model: z.string(),
    content: z.array(
      z.union([
        z.object({ type: z.literal('text'), text: z.string() }).loose(),
        z.object({ type: z.literal('tool_use'), name: z.string(), input: z.unknown() }).loose(),
        z.object({ type: z.string() }).loose(),
      ]),
    ),
    stop_reason: z.string().nullable(),
    usage: z.object({ input_tokens: z.number(), output_tokens: z.number() }).loose(),
  })
  .loose();

/** Anthropic `POST /v1/messages` (structured output via a forced tool whose `input_schema` is the JSON Schema). */
export async function sendAnthropic(
  dispatcher: Agent,
  baseUrl: string,
  key: TenantKey,
  req: ProviderRequest,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ProviderAnswer> {
  const system = req.messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n\n');
  const body: Record<string, unknown> = {
    model: req.model,
    max_tokens: req.maxTokens,
    messages: req.messages
      .filter((m) => m.role !== 'system')
      .map((m) => ({ role: m.role, content: m.content })),
  };
  if (system) body['system'] = system;
  if (req.temperature !== undefined) body['temperature'] = req.temperature;
  if (req.jsonSchema) {
    body['tools'] = [
      {
        name: req.jsonSchema.name,
        description: `Return the ${req.jsonSchema.name} object.`,
        input_schema: req.jsonSchema.schema,
      },
    ];
    body['tool_choice'] = { type: 'tool', name: req.jsonSchema.name };
  }
  const res = await postProvider(
    dispatcher,
    `${baseUrl}/v1/messages`,
    { 'x-api-key': revealTenantKey(key), 'anthropic-version': ANTHROPIC_VERSION },
    body,
    timeoutMs,
    signal,
  );
  if (res.status !== 200) throw classifyProviderError('anthropic', res);
  let json: unknown;
  try {
    json = JSON.parse(res.text);
  } catch {
    throw invalidAnswer('anthropic', 'body is not JSON');
  }
  const parsed = message.safeParse(json);
  if (!parsed.success) throw invalidAnswer('anthropic', 'body is not a message');
  const text = parsed.data.content
    .map((c) => (c.type === 'text' && typeof c['text'] === 'string' ? c['text'] : ''))
    .join('');
  const usage = {
    inputTokens: parsed.data.usage.input_tokens,
    outputTokens: parsed.data.usage.output_tokens,
  };
  if (!req.jsonSchema) return { model: parsed.data.model, text, usage };
  const tool = parsed.data.content.find((c) => c.type === 'tool_use' && c['name'] === req.jsonSchema?.name);
  if (!tool) throw invalidAnswer('anthropic', `no tool_use block named ${req.jsonSchema.name}`);
  return { model: parsed.data.model, text, structured: tool['input'], usage };
}
