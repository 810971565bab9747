/**
 * Errors raised while wrapping or opening stored secrets. Messages name the cause only: never a key,
 * a nonce, a ciphertext or any part of them, because these errors end up in logs and API answers.
 */
export class DecryptionRefusedError extends Error {
  readonly type = 'decryption_refused' as const;
  constructor(cause: 'malformed_envelope' | 'authentication_failed') {
    super(
      cause === 'malformed_envelope'
        ? 'stored ciphertext is malformed (wrong nonce or tag length)'
        : 'stored ciphertext failed authentication (tampered, wrong associated data or wrong key)',
    );
    this.name = 'DecryptionRefusedError';
  }
}

export class KekVersionUnknownError extends Error {
  readonly type = 'kek_version_unknown' as const;
  constructor(readonly kekVersion: number) {
    super(`key-encryption key version ${kekVersion} is not in the key ring`);
    this.name = 'KekVersionUnknownError';
  }
}

export class KekVersionRetiredError extends Error {
  readonly type = 'kek_version_retired' as const;
  constructor(
    readonly kekVersion: number,
    readonly minimumVersion: number,
  ) {
    super(
      `key-encryption key version ${kekVersion} is below the minimum decryption version ${minimumVersion}`,
    );
    this.name = 'KekVersionRetiredError';
  }
}

export class KekUnavailableError extends Error {
  readonly type = 'kek_unavailable' as const;
  constructor(reason: string) {
    super(`key-encryption key provider failed: ${reason}`);
    this.name = 'KekUnavailableError';
  }
}

export type KeyCryptoError =
  DecryptionRefusedError | KekVersionUnknownError | KekVersionRetiredError | KekUnavailableError;

export function isKeyCryptoError(error: unknown): error is KeyCryptoError {
  return (
    error instanceof DecryptionRefusedError ||
    error instanceof KekVersionUnknownError ||
    error instanceof KekVersionRetiredError ||
    error instanceof KekUnavailableError
  );
}
