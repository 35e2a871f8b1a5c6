import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { errorMessage, InvalidInputError } from '../../src/core/errors.ts';

describe('errorMessage', () => {
  it('gives an Error its message, a family error included', () => {
    expect(errorMessage(new TypeError('bad type'))).toBe('bad type');
    expect(errorMessage(new InvalidInputError('empty prompt'))).toBe('empty prompt');
  });

  it('gives an error from another realm its message', () => {
    const foreign = runInNewContext('new Error("from a vm context")') as unknown;
    expect(foreign instanceof Error).toBe(false);
    expect(errorMessage(foreign)).toBe('from a vm context');
  });

  it('gives any other object its JSON, and one that has none its String() form', () => {
    expect(errorMessage({ status: 503 })).toBe('{"status":503}');
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(errorMessage(cyclic)).toBe('[object Object]');
  });

  it('gives strings, numbers, null and undefined their String() form', () => {
    expect(errorMessage('plain text')).toBe('plain text');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(null)).toBe('null');
    expect(errorMessage(undefined)).toBe('undefined');
  });
});
