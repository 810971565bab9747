import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptionRefusedError } from './crypto-errors.js';

/** AES-256-GCM parameters: 96-bit random nonce, full 128-bit tag. */
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const KEY_BYTES = 32;

export interface SealedBox {
  readonly nonce: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): SealedBox {
  if (key.length !== KEY_BYTES) throw new RangeError('AES-256-GCM needs a 32-byte key');
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { nonce, ciphertext, tag: cipher.getAuthTag() };
}

/**
 * Opens a sealed box. The tag and nonce lengths are checked before Node sees them, and `authTagLength`
 * is pinned as well: without it Node accepts a truncated tag (DEP0182), which would let an attacker
 * forge ciphertexts a few bytes of tag at a time.
 */
export function open(key: Buffer, box: SealedBox, aad: Buffer): Buffer {
  if (key.length !== KEY_BYTES) throw new RangeError('AES-256-GCM needs a 32-byte key');
  if (box.nonce.length !== NONCE_BYTES || box.tag.length !== TAG_BYTES) {
    throw new DecryptionRefusedError('malformed_envelope');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, box.nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(box.tag);
    return Buffer.concat([decipher.update(box.ciphertext), decipher.final()]);
  } catch {
    throw new DecryptionRefusedError('authentication_failed');
  }
}

/** Packs a sealed box as nonce || ciphertext || tag (used for wrapped data keys). */
export function packBox(box: SealedBox): Buffer {
  return Buffer.concat([box.nonce, box.ciphertext, box.tag]);
}

export function unpackBox(packed: Buffer): SealedBox {
  if (packed.length < NONCE_BYTES + TAG_BYTES) throw new DecryptionRefusedError('malformed_envelope');
  return {
    nonce: packed.subarray(0, NONCE_BYTES),
    ciphertext: packed.subarray(NONCE_BYTES, packed.length - TAG_BYTES),
    tag: packed.subarray(packed.length - TAG_BYTES),
  };
}
