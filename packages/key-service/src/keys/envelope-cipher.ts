import type { DataKeyCache } from '../kek/data-key-cache.js';
import type { KekProvider, KeyContext } from '../kek/kek-provider.js';
import { associatedData } from '../kek/kek-provider.js';
import { open, seal } from '../crypto/aes-gcm.js';
import { SecretString } from '../crypto/secret-string.js';

/** What is stored for one secret: the wrapped data key and the AES-256-GCM sealed secret. */
export interface StoredEnvelope {
  readonly kekVersion: number;
  readonly wrappedDek: Buffer;
  readonly nonce: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

/**
 * Envelope encryption: a fresh data key per stored secret (from the KEK provider), the secret sealed
 * with it under associated data `tenant|provider|keyVersion`, so a row copied to another tenant or
 * rolled back to an older version fails authentication instead of decrypting.
 */
export class EnvelopeCipher {
  constructor(
    private readonly kek: KekProvider,
    private readonly dataKeys: DataKeyCache,
  ) {}

  async encrypt(secret: string, context: KeyContext): Promise<StoredEnvelope> {
    const dataKey = await this.kek.generateDataKey(context);
    const plaintext = Buffer.from(secret, 'utf8');
    try {
      const box = seal(dataKey.plaintext, plaintext, associatedData(context, 'secret'));
      return { kekVersion: dataKey.kekVersion, wrappedDek: dataKey.wrapped, ...box };
    } finally {
      dataKey.plaintext.fill(0);
      plaintext.fill(0);
    }
  }

  async decrypt(envelope: StoredEnvelope, context: KeyContext): Promise<SecretString> {
    const dataKey = await this.dataKeys.unwrap(envelope.wrappedDek, envelope.kekVersion, context);
    try {
      const plaintext = open(dataKey, envelope, associatedData(context, 'secret'));
      const secret = new SecretString(plaintext.toString('utf8'));
      plaintext.fill(0);
      return secret;
    } finally {
      dataKey.fill(0);
    }
  }
}
