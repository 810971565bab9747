/** Errors of the result stores. Each carries a machine-readable `type` so callers branch on it, not on text. */
export class MigrationError extends Error {
  readonly type = 'MIGRATION_FAILED';
  constructor(
    message: string,
    readonly migration: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/** A tenant id, audit id or other key that does not match its expected shape: refused before reaching a store. */
export class InvalidKeyError extends Error {
  readonly type = 'INVALID_KEY';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'InvalidKeyError';
  }
}
