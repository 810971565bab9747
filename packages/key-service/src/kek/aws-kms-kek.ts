import {
  DecryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  KMSServiceException,
  ReEncryptCommand,
  type KMSClientConfig,
} from '@aws-sdk/client-kms';
import {
  DecryptionRefusedError,
  KekUnavailableError,
  KekVersionRetiredError,
  KekVersionUnknownError,
} from '../crypto/crypto-errors.js';
import type { GeneratedDataKey, KekProvider, KeyContext, RewrappedDataKey } from './kek-provider.js';
import { dataKeyRoundTrips } from './kek-provider.js';

export interface AwsKmsKekOptions {
  /** KEK versions mapped to KMS key ids, ARNs or aliases. The highest version wraps new data keys. */
  readonly keyIds: ReadonlyMap<number, string>;
  readonly minimumDecryptionVersion: number;
  readonly region: string;
  /** A KMS-compatible endpoint (a VPC endpoint, or a local emulator in tests). */
  readonly endpoint?: string | undefined;
  /** Explicit credentials; production uses the default chain (IRSA / EKS Pod Identity). */
  readonly credentials?: KMSClientConfig['credentials'];
}

/**
 * KEK held by AWS KMS: data keys come from GenerateDataKey, are opened with Decrypt, and moved to a
 * new KEK with ReEncrypt, so rotation never brings even the data key into this process. The
 * EncryptionContext (tenant, provider, key version) is KMS's associated data and shows up in CloudTrail.
 */
export class AwsKmsKek implements KekProvider {
  readonly kind = 'aws-kms' as const;
  readonly currentVersion: number;
  readonly minimumDecryptionVersion: number;
  readonly #client: KMSClient;
  readonly #keyIds: ReadonlyMap<number, string>;
  #lastHealthy = 0;

  constructor(options: AwsKmsKekOptions) {
    if (options.keyIds.size === 0) throw new RangeError('at least one KMS key id is needed');
    this.#keyIds = options.keyIds;
    this.currentVersion = Math.max(...options.keyIds.keys());
    this.minimumDecryptionVersion = options.minimumDecryptionVersion;
    this.#client = new KMSClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      maxAttempts: 3,
    });
  }

  assertDecryptable(kekVersion: number): void {
    if (!this.#keyIds.has(kekVersion)) throw new KekVersionUnknownError(kekVersion);
    if (kekVersion < this.minimumDecryptionVersion) {
      throw new KekVersionRetiredError(kekVersion, this.minimumDecryptionVersion);
    }
  }

  async generateDataKey(context: KeyContext): Promise<GeneratedDataKey> {
    const out = await this.#call(() =>
      this.#client.send(
        new GenerateDataKeyCommand({
          KeyId: this.#keyId(this.currentVersion),
          KeySpec: 'AES_256',
          EncryptionContext: encryptionContext(context),
        }),
      ),
    );
    if (!out.Plaintext || !out.CiphertextBlob)
      throw new KekUnavailableError('GenerateDataKey returned no key');
    return {
      plaintext: Buffer.from(out.Plaintext),
      wrapped: Buffer.from(out.CiphertextBlob),
      kekVersion: this.currentVersion,
    };
  }

  async unwrapDataKey(wrapped: Buffer, kekVersion: number, context: KeyContext): Promise<Buffer> {
    this.assertDecryptable(kekVersion);
    const out = await this.#call(() =>
      this.#client.send(
        new DecryptCommand({
          CiphertextBlob: wrapped,
          KeyId: this.#keyId(kekVersion),
          EncryptionContext: encryptionContext(context),
        }),
      ),
    );
    if (!out.Plaintext) throw new KekUnavailableError('Decrypt returned no key');
    return Buffer.from(out.Plaintext);
  }

  async rewrapDataKey(wrapped: Buffer, kekVersion: number, context: KeyContext): Promise<RewrappedDataKey> {
    this.assertDecryptable(kekVersion);
    const out = await this.#call(() =>
      this.#client.send(
        new ReEncryptCommand({
          CiphertextBlob: wrapped,
          SourceKeyId: this.#keyId(kekVersion),
          SourceEncryptionContext: encryptionContext(context),
          DestinationKeyId: this.#keyId(this.currentVersion),
          DestinationEncryptionContext: encryptionContext(context),
        }),
      ),
    );
    if (!out.CiphertextBlob) throw new KekUnavailableError('ReEncrypt returned no ciphertext');
    return { wrapped: Buffer.from(out.CiphertextBlob), kekVersion: this.currentVersion };
  }

  /** A GenerateDataKey/Decrypt round trip, remembered for 15 s so readiness probes do not hammer KMS. */
  async healthCheck(): Promise<void> {
    if (Date.now() - this.#lastHealthy < 15_000) return;
    if (!(await dataKeyRoundTrips(this)))
      throw new KekUnavailableError('round trip returned a different data key');
    this.#lastHealthy = Date.now();
  }

  close(): void {
    this.#client.destroy();
  }

  #keyId(version: number): string {
    const id = this.#keyIds.get(version);
    if (!id) throw new KekVersionUnknownError(version);
    return id;
  }

  async #call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      // KMS error names are safe to surface; their messages can quote request fields, so they are dropped.
      if (error instanceof KMSServiceException) {
        if (error.name === 'InvalidCiphertextException' || error.name === 'IncorrectKeyException') {
          throw new DecryptionRefusedError('authentication_failed');
        }
        throw new KekUnavailableError(`KMS ${error.name}`);
      }
      throw new KekUnavailableError(error instanceof Error ? error.name : 'unknown error');
    }
  }
}

function encryptionContext(context: KeyContext): Record<string, string> {
  return {
    purpose: 'apexseo-llm-key',
    tenantId: context.tenantId,
    provider: context.provider,
    keyVersion: String(context.keyVersion),
  };
}
