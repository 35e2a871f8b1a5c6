import { describe, expect, it } from 'vitest';
import { PROMPT_FEATURE_COUNT, PROMPT_FEATURE_NAMES, promptFeatures } from '../../src/core/prompt-features.ts';

const feature = (prompt: string, name: (typeof PROMPT_FEATURE_NAMES)[number]) =>
  promptFeatures(prompt)[PROMPT_FEATURE_NAMES.indexOf(name)]!;

describe('promptFeatures', () => {
  it('has one value per feature name', () => {
    expect(promptFeatures('hello').length).toBe(PROMPT_FEATURE_COUNT);
  });

  it('counts numbers, digits and the longest number', () => {
    expect(feature('She had 12 apples and 3.5 pears', 'logNumbers')).toBeCloseTo(Math.log(3), 12);
    expect(feature('12345', 'digitShare')).toBe(1);
    expect(feature('12345 and 7', 'logLongestNumber')).toBeCloseTo(Math.log(6), 12);
  });

  it('sees code, mathematics and multiple-choice options', () => {
    expect(feature('def f(x):\n    return x', 'codeMarkers')).toBeGreaterThan(0);
    expect(feature('Write a poem about spring', 'codeMarkers')).toBe(0);
    expect(feature('Solve $x^2 = 4$', 'mathMarkers')).toBeGreaterThan(feature('Tell me a story', 'mathMarkers'));
    expect(feature('Which?\nA. one\nB. two\nC. three\nD. four\nAnswer:', 'choiceLines')).toBeCloseTo(Math.log(5), 12);
  });

  it('grows with length', () => {
    expect(feature('a'.repeat(100), 'logChars')).toBeGreaterThan(feature('a'.repeat(10), 'logChars'));
  });
});
