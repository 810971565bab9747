/**
 * Errors raised inside the fetcher. They never leave it: `SafeFetcher` maps each to a recorded `PageOutcome`.
 * They carry a machine-readable `type` so the mapping does not depend on message text.
 */
import type { ErrorReason } from '../audit-model.js';

export class FetchFailure extends Error {
  readonly type: ErrorReason;
  constructor(type: ErrorReason, message: string) {
    super(message);
    this.name = 'FetchFailure';
    this.type = type;
  }
}

/** The SSRF guard refused the destination; raised from the connector, before any socket is opened. */
export class BlockedAddressError extends FetchFailure {
  readonly host: string;
  readonly address: string;
  constructor(host: string, address: string, why: string) {
    super('blocked_address', `${host} -> ${address} is not a public address (${why})`);
    this.name = 'BlockedAddressError';
    this.host = host;
    this.address = address;
  }
}

export class DnsFailureError extends FetchFailure {
  constructor(host: string, cause: string) {
    super('dns_failure', `${host} does not resolve (${cause})`);
    this.name = 'DnsFailureError';
  }
}
