/** The LLM providers whose keys the service keeps; part of the HTTP contract (`provider` in every path). */
export const PROVIDERS = ['openai', 'anthropic'] as const;
export type Provider = (typeof PROVIDERS)[number];
