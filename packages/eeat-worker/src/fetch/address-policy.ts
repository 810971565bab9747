/**
 * Which IP addresses the audit fetcher may connect to.
 *
 * The fetcher visits pages named by customers and by the pages themselves, so every address is hostile until
 * proven public. IPv4 is checked against the special-purpose registry ranges; IPv6 must be global unicast
 * (2000::/3) and outside the special-purpose blocks inside it. Addresses that embed an IPv4 address
 * (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo) are refused outright: they are a classic way to smuggle
 * 127.0.0.1 or 169.254.169.254 past a check that only looks at the IPv4 table.
 */
import { isIP } from 'node:net';

export type AddressVerdict = { allowed: true } | { allowed: false; range: string; why: string };

interface Range {
  base: bigint;
  prefix: number;
  bits: 32 | 128;
  label: string;
  why: string;
}

function ipv4ToBigInt(ip: string): bigint {
  const parts = ip.split('.').map((p) => Number(p));
  return parts.reduce((acc, octet) => (acc << 8n) | BigInt(octet), 0n);
}

/** Expands any textual IPv6 form (with `::` and an optional trailing dotted quad) to 128 bits. */
export function ipv6ToBigInt(ip: string): bigint {
  let text = ip.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    // A trailing dotted quad (::ffff:127.0.0.1) stands for the last two 16-bit groups.
    const quad = Number(ipv4ToBigInt(tail));
    text = `${text.slice(0, lastColon + 1)}${((quad >>> 16) & 0xffff).toString(16)}:${(quad & 0xffff).toString(16)}`;
  }
  const [headText = '', restText] = text.split('::');
  const head = headText === '' ? [] : headText.split(':').map((g) => parseInt(g, 16));
  const rest =
    restText === undefined || restText === '' ? [] : restText.split(':').map((g) => parseInt(g, 16));
  const explicit = head.length + rest.length;
  const fill = restText === undefined ? [] : new Array<number>(8 - explicit).fill(0);
  const groups = [...head, ...fill, ...rest];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

function v4(cidr: string, label: string, why: string): Range {
  const [base = '', prefix = '32'] = cidr.split('/');
  return { base: ipv4ToBigInt(base), prefix: Number(prefix), bits: 32, label, why };
}

function v6(cidr: string, label: string, why: string): Range {
  const [base = '', prefix = '128'] = cidr.split('/');
  return { base: ipv6ToBigInt(base), prefix: Number(prefix), bits: 128, label, why };
}

const IPV4_BLOCKED: readonly Range[] = [
  v4('0.0.0.0/8', '0.0.0.0/8', 'unspecified / "this network"'),
  v4('10.0.0.0/8', '10.0.0.0/8', 'private network'),
  v4('100.64.0.0/10', '100.64.0.0/10', 'carrier-grade NAT (shared address space)'),
  v4('127.0.0.0/8', '127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', '169.254.0.0/16', 'link-local (cloud metadata lives at 169.254.169.254)'),
  v4('172.16.0.0/12', '172.16.0.0/12', 'private network'),
  v4('192.0.0.0/24', '192.0.0.0/24', 'IETF protocol assignments'),
  v4('192.0.2.0/24', '192.0.2.0/24', 'documentation (TEST-NET-1)'),
  v4('192.88.99.0/24', '192.88.99.0/24', '6to4 relay anycast (deprecated)'),
  v4('192.168.0.0/16', '192.168.0.0/16', 'private network'),
  v4('198.18.0.0/15', '198.18.0.0/15', 'benchmarking'),
  v4('198.51.100.0/24', '198.51.100.0/24', 'documentation (TEST-NET-2)'),
  v4('203.0.113.0/24', '203.0.113.0/24', 'documentation (TEST-NET-3)'),
  v4('224.0.0.0/4', '224.0.0.0/4', 'multicast'),
  v4('240.0.0.0/4', '240.0.0.0/4', 'reserved (incl. broadcast 255.255.255.255)'),
];

const IPV6_BLOCKED: readonly Range[] = [
  v6('::/128', '::/128', 'unspecified'),
  v6('::1/128', '::1/128', 'loopback'),
  v6('::ffff:0:0/96', '::ffff:0:0/96', 'IPv4-mapped IPv6'),
  v6('::/96', '::/96', 'IPv4-compatible IPv6 (deprecated)'),
  v6('64:ff9b::/96', '64:ff9b::/96', 'NAT64 (embeds an IPv4 address)'),
  v6('64:ff9b:1::/48', '64:ff9b:1::/48', 'local-use NAT64'),
  v6('100::/64', '100::/64', 'discard-only'),
  v6('2001::/23', '2001::/23', 'IETF protocol assignments (incl. Teredo 2001::/32)'),
  v6('2001:db8::/32', '2001:db8::/32', 'documentation'),
  v6('2002::/16', '2002::/16', '6to4 (embeds an IPv4 address)'),
  v6('3fff::/20', '3fff::/20', 'documentation'),
  v6('5f00::/16', '5f00::/16', 'segment routing SIDs'),
  v6('fc00::/7', 'fc00::/7', 'unique local (private)'),
  v6('fe80::/10', 'fe80::/10', 'link-local'),
  v6('fec0::/10', 'fec0::/10', 'site-local (deprecated)'),
  v6('ff00::/8', 'ff00::/8', 'multicast'),
];

const GLOBAL_UNICAST = v6('2000::/3', '2000::/3', 'global unicast');

function contains(range: Range, value: bigint): boolean {
  const shift = BigInt(range.bits - range.prefix);
  return value >> shift === range.base >> shift;
}

/** Decides whether a literal IP address is a public destination. Non-IP input is refused. */
export function checkAddress(address: string): AddressVerdict {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(bare);
  if (family === 4) {
    const value = ipv4ToBigInt(bare);
    const hit = IPV4_BLOCKED.find((r) => contains(r, value));
    return hit ? { allowed: false, range: hit.label, why: hit.why } : { allowed: true };
  }
  if (family === 6) {
    const value = ipv6ToBigInt(bare);
    const hit = IPV6_BLOCKED.find((r) => contains(r, value));
    if (hit) return { allowed: false, range: hit.label, why: hit.why };
    if (!contains(GLOBAL_UNICAST, value))
      return { allowed: false, range: 'outside 2000::/3', why: 'not global unicast (reserved)' };
    return { allowed: true };
  }
  return { allowed: false, range: 'not an IP address', why: `"${address}" is not an IP address` };
}
