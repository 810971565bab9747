import { describe, expect, it } from 'vitest';
import { checkAddress } from '../../src/fetch/address-policy.js';

describe('checkAddress', () => {
  it.each([
    ['127.0.0.1', '127.0.0.0/8'],
    ['10.20.30.40', '10.0.0.0/8'],
    ['172.16.0.1', '172.16.0.0/12'],
    ['192.168.1.1', '192.168.0.0/16'],
    ['169.254.169.254', '169.254.0.0/16'],
    ['100.64.0.1', '100.64.0.0/10'],
    ['100.127.255.254', '100.64.0.0/10'],
    ['0.0.0.0', '0.0.0.0/8'],
    ['224.0.0.251', '224.0.0.0/4'],
    ['255.255.255.255', '240.0.0.0/4'],
    ['192.0.2.10', '192.0.2.0/24'],
    ['::1', '::1/128'],
    ['::', '::/128'],
    ['::ffff:127.0.0.1', '::ffff:0:0/96'],
    ['::ffff:a9fe:a9fe', '::ffff:0:0/96'],
    ['::127.0.0.1', '::/96'],
    ['64:ff9b::a9fe:a9fe', '64:ff9b::/96'],
    ['2002:7f00:1::1', '2002::/16'],
    ['2001:0:4136:e378::1', '2001::/23'],
    ['fd12:3456::1', 'fc00::/7'],
    ['fe80::1%eth0', 'fe80::/10'],
    ['ff02::1', 'ff00::/8'],
    ['2001:db8::1', '2001:db8::/32'],
  ])('should refuse %s as %s', (address, range) => {
    const verdict = checkAddress(address);
    expect(verdict).toMatchObject({ allowed: false, range });
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '100.128.0.1',
    '172.32.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
  ])('should allow the public address %s', (address) => {
    expect(checkAddress(address)).toEqual({ allowed: true });
  });

  it('should refuse a host name handed in as an address', () => {
    expect(checkAddress('localhost')).toMatchObject({ allowed: false });
  });
});
