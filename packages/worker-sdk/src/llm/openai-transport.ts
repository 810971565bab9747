import { z } from 'zod';
import { revealTenantKey } from '../keys/tenant-key.js';
import { invalidAnswer, parseProviderAnswer, postProvider, type ProviderTransport } from './provider-http.js';

const chatCompletion = z
  .object({
    model: z.string(),
    choices: z
      .array(
        z
          .object({
            message: z
              .object({ role: z.string(), content: z.string().nullable(), refusal: z.string().nullish() })
              .loose(),
            finish_reason: z.string().nullable(),
          })
          .loose(),
      )
      .min(1),
    usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).loose().optional(),
  })
  .loose();

/** OpenAI-compatible `POST /v1/chat/completions` (structured output via `response_format: json_schema`). */
export const sendOpenAi: ProviderTransport = async (dispatcher, baseUrl, key, req, timeoutMs, signal) => {
  const body: Record<string, unknown> = {
    model: req.model,
    messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
    max_completion_tokens: req.maxTokens,
  };
  if (req.temperature !== undefined) body['temperature'] = req.temperature;
  if (req.jsonSchema) {
    body['response_format'] = {
      type: 'json_schema',
      json_schema: {
        name: req.jsonSchema.name,
        schema: req.jsonSchema.schema,
        strict: req.jsonSchema.strict,
      },
    };
  }
  const res = await postProvider(
    dispatcher,
    `${baseUrl}/v1/chat/completions`,
    { authorization: `Bearer ${revealTenantKey(key)}` },
    body,
    timeoutMs,
    signal,
  );
  const answer = parseProviderAnswer('openai', res, chatCompletion, 'a chat.completion');
  const choice = answer.choices[0];
  const text = choice?.message.content ?? '';
  if (choice?.message.refusal) throw invalidAnswer('openai', 'the model refused');
  const usage = {
    inputTokens: answer.usage?.prompt_tokens ?? 0,
    outputTokens: answer.usage?.completion_tokens ?? 0,
  };
  if (!req.jsonSchema) return { model: answer.model, text, usage };
  let structured: unknown;
  try {
    structured = JSON.parse(text);
  } catch {
    throw invalidAnswer('openai', 'structured output is not JSON');
  }
  return { model: answer.model, text, structured, usage };
};
