/**
 * An undici connector that resolves a host once, checks every resolved address against the address policy,
 * and then connects to the checked address itself. Because the socket is opened to the IP we checked, a DNS
 * answer that changes between check and connect (rebinding) cannot redirect the connection. TLS still uses the
 * original host name for SNI and certificate verification.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { rootCertificates as tlsRootCertificates } from 'node:tls';
import { buildConnector } from 'undici';
import { checkAddress } from './address-policy.js';
import { BlockedAddressError, DnsFailureError } from './fetch-errors.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all of its addresses. Tests inject one to simulate hostile DNS. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = async (hostname) => {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export interface GuardOptions {
  /**
   * `host:port` pairs that bypass the address check, e.g. `['127.0.0.1:4321']` for a local sample site.
   * Matched against the URL's host and against each resolved address. Default: none.
   */
  allowHosts?: readonly string[];
  /** Default: the system resolver (`dns.lookup`). */
  resolver?: HostResolver;
  /** Connect timeout in milliseconds. Default: 5000. */
  connectTimeoutMs?: number;
  /** Extra trusted CA certificates (PEM) for TLS, e.g. a private CA; the system roots stay trusted too. */
  ca?: string;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function hostPort(host: string, port: string): string {
  const bare = stripBrackets(host).toLowerCase();
  return isIP(bare) === 6 ? `[${bare}]:${port}` : `${bare}:${port}`;
}

/**
 * Resolves `hostname` and returns the address to connect to, or throws `BlockedAddressError` /
 * `DnsFailureError`. Every resolved address must be public: one private answer poisons the whole set, since
 * we cannot know which one an attacker meant us to use.
 */
export async function resolveChecked(
  hostname: string,
  port: string,
  options: Pick<GuardOptions, 'allowHosts' | 'resolver'>,
): Promise<ResolvedAddress> {
  const host = stripBrackets(hostname);
  const allow = new Set((options.allowHosts ?? []).map((h) => h.toLowerCase()));
  const literal = isIP(host);
  if (literal !== 0) {
    if (allow.has(hostPort(host, port))) return { address: host, family: literal === 6 ? 6 : 4 };
    const verdict = checkAddress(host);
    if (!verdict.allowed) throw new BlockedAddressError(host, host, `${verdict.range}: ${verdict.why}`);
    return { address: host, family: literal === 6 ? 6 : 4 };
  }
  let answers: ResolvedAddress[];
  try {
    answers = await (options.resolver ?? systemResolver)(host);
  } catch (err) {
    throw new DnsFailureError(host, err instanceof Error ? err.message : String(err));
  }
  const first = answers[0];
  if (first === undefined) throw new DnsFailureError(host, 'no addresses');
  if (allow.has(hostPort(host, port))) return first;
  for (const answer of answers) {
    if (allow.has(hostPort(answer.address, port))) continue;
    const verdict = checkAddress(answer.address);
    if (!verdict.allowed)
      throw new BlockedAddressError(host, answer.address, `${verdict.range}: ${verdict.why}`);
  }
  return first;
}

/** Key for pinned addresses: the URL's host and port as the connector sees them. */
export function pinKey(hostname: string, port: string): string {
  return hostPort(hostname, port);
}

/**
 * Builds the connector for an undici `Agent`: connect to exactly the checked address. `pinned` holds the
 * addresses the fetcher already resolved and checked for the request at hand, so the name is resolved once
 * per fetch; a connection without a pinned address resolves and checks on its own.
 */
export function buildGuardedConnector(
  options: GuardOptions,
  pinned: ReadonlyMap<string, ResolvedAddress>,
): buildConnector.connector {
  const base = buildConnector({
    timeout: options.connectTimeoutMs ?? 5000,
    allowH2: false,
    ...(options.ca !== undefined ? { ca: [...tlsRootCertificates, options.ca] } : {}),
  });
  return (connectOptions, callback) => {
    const port = connectOptions.port || (connectOptions.protocol === 'https:' ? '443' : '80');
    const pin = pinned.get(pinKey(connectOptions.hostname, port));
    const target = pin ? Promise.resolve(pin) : resolveChecked(connectOptions.hostname, port, options);
    target.then(
      (resolved) => {
        // Keep `host` (the original name) so TLS SNI and certificate checks use it; connect to the checked IP.
        base({ ...connectOptions, hostname: resolved.address }, callback);
      },
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), null),
    );
  };
}
