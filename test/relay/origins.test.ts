import { describe, expect, it } from 'vitest';
import { LOOPBACK_ORIGINS, originAllowed, parseOriginPattern } from '../../src/relay/origins.ts';

describe('parseOriginPattern', () => {
  it('reads *, exact origins and any-port origins', () => {
    expect(parseOriginPattern('*')).toEqual({ kind: 'any' });
    expect(parseOriginPattern('https://app.example.com')).toEqual({ kind: 'exact', origin: 'https://app.example.com' });
    expect(parseOriginPattern('https://app.example.com:8443')).toEqual({
      kind: 'exact',
      origin: 'https://app.example.com:8443',
    });
    expect(parseOriginPattern('http://localhost:*')).toEqual({ kind: 'any-port', schemeAndHost: 'http://localhost' });
    expect(parseOriginPattern('http://[::1]:*')).toEqual({ kind: 'any-port', schemeAndHost: 'http://[::1]' });
  });

  it('rejects what a browser would never send as an Origin', () => {
    for (const text of [
      'app.example.com',
      'https://app.example.com/',
      'https://app.example.com/path',
      'HTTPS://App.example.com',
      'https://app.example.com:443',
      'ftp://files.example.com',
      'https://*.example.com',
      'http://localhost:5173:*',
      '',
      'null',
    ]) {
      expect(() => parseOriginPattern(text), text).toThrow(/is not an origin/);
    }
  });
});

describe('originAllowed', () => {
  const loopback = LOOPBACK_ORIGINS.map(parseOriginPattern);

  it('matches loopback pages on any port and nothing that merely looks like them', () => {
    for (const origin of ['http://localhost', 'http://localhost:5173', 'http://127.0.0.1:4173', 'http://[::1]:8080']) {
      expect(originAllowed(loopback, origin), origin).toBe(true);
    }
    for (const origin of [
      'https://localhost:5173',
      'http://localhost.evil.example',
      'http://localhost:5173.evil.example',
      'http://localhost:',
      'http://localhost:123456',
      'http://127.0.0.2:80',
      'null',
      '',
    ]) {
      expect(originAllowed(loopback, origin), origin).toBe(false);
    }
  });

  it('matches exact origins exactly, and anything under *', () => {
    const exact = [parseOriginPattern('https://app.example.com')];
    expect(originAllowed(exact, 'https://app.example.com')).toBe(true);
    expect(originAllowed(exact, 'https://app.example.com:444')).toBe(false);
    expect(originAllowed(exact, 'http://app.example.com')).toBe(false);
    expect(originAllowed([parseOriginPattern('*')], 'https://anything.example')).toBe(true);
    expect(originAllowed([], 'http://localhost:5173')).toBe(false);
  });
});
