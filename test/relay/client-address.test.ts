import { describe, expect, it } from 'vitest';
import { clientAddress, parseAddress, parseCidr } from '../../src/relay/client-address.ts';

describe('parseAddress', () => {
  it('reads IPv4, IPv6 (compressed, bracketed, with a zone, ending in IPv4) and refuses the rest', () => {
    expect(parseAddress('10.0.0.1')).toBe(parseAddress('::ffff:10.0.0.1'));
    expect(parseAddress('::ffff:a00:1')).toBe(parseAddress('10.0.0.1'));
    expect(parseAddress('[2001:db8::1]')).toBe((0x2001_0db8n << 96n) | 1n);
    expect(parseAddress('fe80::1%eth0')).toBe((0xfe80n << 112n) | 1n);
    expect(parseAddress('::')).toBe(0n);
    for (const bad of ['256.0.0.1', '1.2.3', 'example.com', '1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1', '']) {
      expect(parseAddress(bad), bad).toBeUndefined();
    }
  });
});

describe('clientAddress', () => {
  const ranges = { kind: 'ranges', ranges: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'].map(parseCidr) } as const;

  it('is the peer when no proxy is trusted, whatever the header says', () => {
    expect(clientAddress('127.0.0.1', '198.51.100.1', undefined)).toBe('127.0.0.1');
  });

  it('counts hops from the right, and stops at the first entry', () => {
    expect(clientAddress('10.0.0.1', '1.1.1.1, 2.2.2.2', { kind: 'hops', hops: 1 })).toBe('2.2.2.2');
    expect(clientAddress('10.0.0.1', '1.1.1.1, 2.2.2.2', { kind: 'hops', hops: 2 })).toBe('1.1.1.1');
    expect(clientAddress('10.0.0.1', '1.1.1.1', { kind: 'hops', hops: 5 })).toBe('1.1.1.1');
    expect(clientAddress('10.0.0.1', undefined, { kind: 'hops', hops: 1 })).toBe('10.0.0.1');
  });

  it('walks back through trusted ranges only, IPv4 and IPv6', () => {
    expect(clientAddress('10.0.0.1', '203.0.113.9, 192.0.2.7', ranges)).toBe('203.0.113.9');
    expect(clientAddress('2001:db8::5', '203.0.113.9', ranges)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:10.2.3.4', '198.51.100.1, 203.0.113.9', ranges)).toBe('203.0.113.9');
    // The peer is not a trusted proxy: its header says nothing.
    expect(clientAddress('198.51.100.1', '203.0.113.9', ranges)).toBe('198.51.100.1');
    // Every entry trusted: the leftmost is the best there is.
    expect(clientAddress('10.0.0.1', '10.0.0.2', ranges)).toBe('10.0.0.2');
  });

  it('refuses ranges that are not ranges', () => {
    expect(() => parseCidr('10.0.0.0/33')).toThrow('is not an address or range');
    expect(() => parseCidr('2001:db8::/129')).toThrow('is not an address or range');
    expect(() => parseCidr('10.0.0.0/8/8')).toThrow('is not an address or range');
    expect(parseCidr('10.1.2.3/8').base).toBe(parseCidr('10.0.0.0/8').base);
  });
});
