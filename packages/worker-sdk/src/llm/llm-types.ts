import type { z } from 'zod';
import type { LlmProvider } from '../keys/tenant-key.js';

/** One chat message; `system` messages become Anthropic's top-level `system` field. */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface ChatRequest {
  /** Provider model name, e.g. `gpt-4o-mini` or `claude-sonnet-4-5`. */
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  /** Output token cap. @default 1024 (Anthropic requires one) */
  readonly maxTokens?: number;
  readonly temperature?: number;
  /** Per-attempt timeout in milliseconds. @default the worker's `llm.timeoutMs` */
  readonly timeoutMs?: number;
}

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export interface ChatResult {
  readonly text: string;
  readonly model: string;
  readonly usage: TokenUsage;
}

export interface StructuredRequest<S extends z.ZodType> extends ChatRequest {
  /** Output schema: sent to the provider as JSON Schema, and the answer is validated with it. */
  readonly schema: S;
  /** Name of the output object (OpenAI `json_schema.name`, Anthropic tool name): `[a-zA-Z0-9_-]{1,64}`. */
  readonly schemaName: string;
  /** OpenAI strict structured outputs (every property required, no extra properties). @default true */
  readonly strict?: boolean;
}

export interface StructuredResult<T> {
  readonly data: T;
  readonly model: string;
  readonly usage: TokenUsage;
}

/**
 * `ctx.llm` in an activity: already bound to the tenant's key (acquired from the key service just before each call),
 * the fleet breaker, error classification and metrics. Each method call is one logical call: transient provider
 * errors are retried inside it, and its outcome is reported to the key service exactly once.
 */
export interface LlmClient {
  readonly provider: LlmProvider;
  chat(request: ChatRequest): Promise<ChatResult>;
  structured<S extends z.ZodType>(request: StructuredRequest<S>): Promise<StructuredResult<z.output<S>>>;
}

/** A provider request after schema conversion: what a transport sends in one HTTP attempt. */
export interface ProviderRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly maxTokens: number;
  readonly temperature?: number;
  readonly jsonSchema?: {
    readonly name: string;
    readonly schema: Record<string, unknown>;
    readonly strict: boolean;
  };
}

/** What a transport returns on HTTP 200 with a well-formed body. */
export interface ProviderAnswer {
  readonly model: string;
  readonly text: string;
  /** Parsed structured output (OpenAI: JSON in `content`; Anthropic: `tool_use.input`). */
  readonly structured?: unknown;
  readonly usage: TokenUsage;
}
