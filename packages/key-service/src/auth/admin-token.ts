import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks the admin bearer token against its configured SHA-256. Only the digest is configured, and
 * digests are compared in constant time, so neither the token nor its length leaks by timing.
 */
export class AdminTokenChecker {
  readonly #expected: Buffer;

  constructor(adminTokenSha256Hex: string) {
    this.#expected = Buffer.from(adminTokenSha256Hex, 'hex');
    if (this.#expected.length !== 32) throw new RangeError('admin token digest must be 32 bytes of hex');
  }

  matches(authorization: string | undefined): boolean {
    const match = /^Bearer (\S{16,512})$/.exec(authorization ?? '');
    const presented = createHash('sha256')
      .update(match?.[1] ?? '')
      .digest();
    // Always compare, even for a malformed header, so the two paths take the same time.
    return timingSafeEqual(presented, this.#expected) && match !== null;
  }
}
