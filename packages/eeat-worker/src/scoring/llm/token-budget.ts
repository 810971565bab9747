/**
 * Token budgeting without a tokenizer dependency: English prose averages about four characters per token for
 * current OpenAI and Anthropic tokenizers; we count 3.5 to stay on the safe side. When page text exceeds its
 * budget we keep the head (where the QRG says the essential MC belongs, §5.2.2) and the tail (author boxes,
 * sources, disclosures) and say in the text how much was cut.
 */
export const CHARS_PER_TOKEN = 3.5;

/** Characters that fit in `tokens` by this estimate. */
export function charsForTokens(tokens: number): number {
  return Math.floor(tokens * CHARS_PER_TOKEN);
}

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

export function fitToBudget(text: string, maxTokens: number): { text: string; truncated: boolean } {
  const maxChars = charsForTokens(maxTokens);
  if (text.length <= maxChars) return { text, truncated: false };
  const marker = (omitted: number): string =>
    `\n[... ${omitted} characters omitted to fit the token budget ...]\n`;
  const room = Math.max(0, maxChars - marker(text.length).length);
  const headChars = Math.floor(room * 0.78);
  const tailChars = room - headChars;
  const head = text.slice(0, headChars);
  const tail = tailChars > 0 ? text.slice(text.length - tailChars) : '';
  return { text: `${head}${marker(text.length - head.length - tail.length)}${tail}`, truncated: true };
}
