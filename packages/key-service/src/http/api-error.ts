/**
 * An error answer: `{"error": {"code", "message", ...details}}`. `code` is the machine-readable type;
 * the message names the field or cause and never quotes a key, token or other request value.
 */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, string | number>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get type(): string {
    return this.code;
  }

  toBody(): { error: Record<string, string | number> } {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }
}
