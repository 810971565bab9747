import { Buffer } from 'node:buffer';

/** Which provider, tenant and version a secret belongs to: bound into every ciphertext as associated data. */
export interface KeyContext {
  readonly tenantId: string;
  readonly provider: string;
  readonly keyVersion: number;
}

/**
 * Associated data for both the LLM key ciphertext and the wrapped data key. Tenant ids and provider
 * names cannot contain `|` (validated at the API edge), so the encoding is unambiguous.
 */
export function associatedData(context: KeyContext, purpose: 'secret' | 'data-key'): Buffer {
  return Buffer.from(
    `apexseo:${purpose}:v1|${context.tenantId}|${context.provider}|${context.keyVersion}`,
    'utf8',
  );
}

export interface GeneratedDataKey {
  /** The data key itself. Callers zero it when they are done. */
  readonly plaintext: Buffer;
  readonly wrapped: Buffer;
  readonly kekVersion: number;
}

export interface RewrappedDataKey {
  readonly wrapped: Buffer;
  readonly kekVersion: number;
}

/**
 * Generates a data key for a throwaway readiness context and unwraps it again: whether the KEK gave back the same
 * key. Both copies of the data key are zeroed.
 */
export async function dataKeyRoundTrips(
  kek: Pick<KekProvider, 'generateDataKey' | 'unwrapDataKey'>,
): Promise<boolean> {
  const context: KeyContext = { tenantId: 'readiness', provider: 'readiness', keyVersion: 0 };
  const generated = await kek.generateDataKey(context);
  const unwrapped = await kek.unwrapDataKey(generated.wrapped, generated.kekVersion, context);
  const same = unwrapped.equals(generated.plaintext);
  generated.plaintext.fill(0);
  unwrapped.fill(0);
  return same;
}

/**
 * A key-encryption key (KEK) ring. Implementations wrap data keys only; they never see an LLM key.
 * Versions are positive integers; new data keys are wrapped under `currentVersion`, and data keys
 * wrapped under a version below `minimumDecryptionVersion` are refused.
 */
export interface KekProvider {
  readonly kind: 'local' | 'aws-kms';
  readonly currentVersion: number;
  readonly minimumDecryptionVersion: number;
  /** Throws KekVersionUnknownError / KekVersionRetiredError when `kekVersion` may not be used to decrypt. */
  assertDecryptable(kekVersion: number): void;
  generateDataKey(context: KeyContext): Promise<GeneratedDataKey>;
  unwrapDataKey(wrapped: Buffer, kekVersion: number, context: KeyContext): Promise<Buffer>;
  /** Moves a wrapped data key to the current KEK version. The LLM key ciphertext is not touched. */
  rewrapDataKey(wrapped: Buffer, kekVersion: number, context: KeyContext): Promise<RewrappedDataKey>;
  /** Proves the KEK can wrap and unwrap right now (readiness). */
  healthCheck(): Promise<void>;
}
