import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.ts';
import { formatRouterModel, parseRouterModel } from '../../src/core/model-string.ts';

describe('router model strings', () => {
  it('parses router-<name>-<threshold>, with hyphens in the name', () => {
    expect(parseRouterModel('router-mf-0.1159')).toEqual({ router: 'mf', threshold: 0.1159 });
    expect(parseRouterModel('router-sw-ranking-0.5')).toEqual({ router: 'sw-ranking', threshold: 0.5 });
    expect(parseRouterModel('router-causal-llm-1')).toEqual({ router: 'causal-llm', threshold: 1 });
    expect(parseRouterModel('router-length-.25')).toEqual({ router: 'length', threshold: 0.25 });
  });

  it('leaves plain model names alone', () => {
    expect(parseRouterModel('gpt-4o')).toBeUndefined();
    expect(parseRouterModel('mistralai/Mixtral-8x7B-Instruct-v0.1')).toBeUndefined();
  });

  it('rejects malformed router strings instead of passing them on as model names', () => {
    for (const bad of [
      'router-mf',
      'router-mf-',
      'router--0.5',
      'router-mf-1.5',
      'router-mf-abc',
      'router-MF-0.5',
      'router-mf-1e-3',
    ]) {
      expect(() => parseRouterModel(bad), bad).toThrow(InvalidInputError);
    }
  });

  it('formats the inverse of parse', () => {
    expect(formatRouterModel({ router: 'sw-ranking', threshold: 0.1159 })).toBe('router-sw-ranking-0.1159');
    expect(parseRouterModel(formatRouterModel({ router: 'mf', threshold: 0.3 }))).toEqual({
      router: 'mf',
      threshold: 0.3,
    });
    expect(() => formatRouterModel({ router: 'mf', threshold: 1e-7 })).toThrow(InvalidInputError);
  });
});
