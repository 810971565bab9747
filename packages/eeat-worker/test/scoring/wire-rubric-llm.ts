/**
 * A minimal client for the rubric tests that speaks the providers' real wire formats (OpenAI chat completions
 * with `response_format: json_schema`, Anthropic messages with a forced tool) against the LLM stand-in, so the
 * rubric's request and the answer's parsing go through HTTP and JSON exactly as in production.
 */
import { request } from 'undici';
import { z } from 'zod';
import type { RubricLlm } from '../../src/scoring/llm/rate-with-llm.js';
import type { LlmProvider } from '@apexseo/worker-sdk';

export function wireRubricLlm(baseUrl: string, provider: LlmProvider, apiKey: string): RubricLlm {
  return {
    provider,
    async structured(req) {
      const schema = z.toJSONSchema(req.schema, { target: 'draft-7', io: 'output' }) as Record<
        string,
        unknown
      >;
      delete schema['$schema'];
      const system = req.messages
        .filter((m) => m.role === 'system')
        .map((m) => m.content)
        .join('\n');
      const rest = req.messages.filter((m) => m.role !== 'system');
      const body =
        provider === 'openai'
          ? {
              model: req.model,
              messages: req.messages,
              max_tokens: req.maxTokens,
              temperature: req.temperature,
              response_format: {
                type: 'json_schema',
                json_schema: { name: req.schemaName, schema, strict: req.strict ?? true },
              },
            }
          : {
              model: req.model,
              system,
              messages: rest,
              max_tokens: req.maxTokens ?? 1024,
              temperature: req.temperature,
              tools: [
                {
                  name: req.schemaName,
                  description: `Return the ${req.schemaName} object.`,
                  input_schema: schema,
                },
              ],
              tool_choice: { type: 'tool', name: req.schemaName },
            };
      const headers: Record<string, string> =
        provider === 'openai'
          ? { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }
          : { 'x-api-key': apiKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' };
      const res = await request(
        `${baseUrl}${provider === 'openai' ? '/v1/chat/completions' : '/v1/messages'}`,
        { method: 'POST', headers, body: JSON.stringify(body) },
      );
      const json = (await res.body.json()) as Record<string, unknown>;
      if (res.statusCode !== 200) throw new Error(`provider answered ${res.statusCode}`);
      if (provider === 'openai') {
        const choices = json['choices'] as Array<{ message: { content: string } }>;
        const usage = json['usage'] as { prompt_tokens: number; completion_tokens: number };
        const data = req.schema.parse(JSON.parse(choices[0]!.message.content));
        return {
          data,
          model: String(json['model']),
          usage: { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens },
        };
      }
      const content = json['content'] as Array<{ type: string; name?: string; input?: unknown }>;
      const usage = json['usage'] as { input_tokens: number; output_tokens: number };
      const tool = content.find((c) => c.type === 'tool_use' && c.name === req.schemaName);
      const data = req.schema.parse(tool?.input);
      return {
        data,
        model: String(json['model']),
        usage: { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens },
      };
    },
  };
}
