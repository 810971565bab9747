import { inspect } from 'node:util';

const REDACTED = '[REDACTED]';

/**
 * Holds a plaintext LLM key between decryption and the HTTP answer. Every accidental path to a log
 * (JSON.stringify, util.inspect, template strings) prints `[REDACTED]`; only `reveal()` gives the value.
 */
export class SecretString {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
