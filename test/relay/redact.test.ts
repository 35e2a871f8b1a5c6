import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/relay/redact.ts';

const KEY = 'sk-proj-4f9c2a7b1e8d3c6a';

describe('Redactor', () => {
  it('cuts a whole key, an 8+ character start of one, and leaves shorter starts alone', () => {
    const redactor = new Redactor([KEY, 'short']);
    expect(redactor.redact(`a ${KEY} b`)).toBe('a [redacted] b');
    expect(redactor.redact(`a ${KEY.slice(0, 8)}… b ${KEY.slice(0, 7)}`)).toBe(`a [redacted]… b ${KEY.slice(0, 7)}`);
    expect(redactor.redact('a short key')).toBe('a [redacted] key');
    expect(new Redactor([]).redact(KEY)).toBe(KEY);
  });

  it('gives the same text however a stream is split, holding back only what may be a key (fuzzed, seed 7)', () => {
    let state = 7;
    const next = () => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state / 2_147_483_648;
    };
    for (let round = 0; round < 300; round += 1) {
      const pieces = ['x', ' ', 's', 'k', '-', KEY.slice(0, 3 + Math.floor(next() * (KEY.length - 2)))];
      const text = Array.from({ length: 30 }, () => pieces[Math.floor(next() * pieces.length)]).join('');
      const whole = new Redactor([KEY]).redact(text);
      const streaming = new Redactor([KEY]);
      let out = '';
      for (let at = 0; at < text.length; ) {
        const size = 1 + Math.floor(next() * 6);
        out += streaming.push(text.slice(at, at + size));
        expect(out).not.toContain(KEY.slice(0, 8));
        at += size;
      }
      out += streaming.push('', true);
      expect(out, JSON.stringify(text)).toBe(whole);
    }
  });
});
