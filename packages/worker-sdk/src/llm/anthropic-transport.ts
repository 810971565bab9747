import { z } from 'zod';
import { revealTenantKey } from '../keys/tenant-key.js';
import { invalidAnswer, parseProviderAnswer, postProvider, type ProviderTransport } from './provider-http.js';

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
export const sendAnthropic: ProviderTransport = async (dispatcher, baseUrl, key, req, timeoutMs, signal) => {
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
  const answer = parseProviderAnswer('anthropic', res, message, 'a message');
  const text = answer.content
    .map((c) => (c.type === 'text' && typeof c['text'] === 'string' ? c['text'] : ''))
    .join('');
  const usage = {
    inputTokens: answer.usage.input_tokens,
    outputTokens: answer.usage.output_tokens,
  };
  if (!req.jsonSchema) return { model: answer.model, text, usage };
  const tool = answer.content.find((c) => c.type === 'tool_use' && c['name'] === req.jsonSchema?.name);
  if (!tool) throw invalidAnswer('anthropic', `no tool_use block named ${req.jsonSchema.name}`);
  return { model: answer.model, text, structured: tool['input'], usage };
};
