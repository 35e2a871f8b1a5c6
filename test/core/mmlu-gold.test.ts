import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.ts';
import { promptDigest, splitMmluGold } from '../../src/core/mmlu-gold.ts';
import { createCorrectnessBenchmark } from '../../src/core/correctness-benchmark.ts';

const mmluOf = (prompts: readonly string[]) =>
  createCorrectnessBenchmark({
    name: 'mmlu',
    rows: prompts.map((prompt, index) => ({ id: String(index), prompt, weakCorrect: false, strongCorrect: true })),
  });

describe('MMLU gold split', () => {
  it('hashes the UTF-8 bytes with SHA-256', () => {
    expect(promptDigest('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    // Two UTF-8 bytes (c3 a9), not one UTF-16 unit.
    expect(promptDigest('é')).toBe('4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c');
  });

  it('puts the rows whose digest sorts lowest in gold and keeps item order on both sides', () => {
    const prompts = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];
    const { gold, heldout } = splitMmluGold(mmluOf(prompts), 2);
    const lowest = [...prompts].sort((a, b) => (promptDigest(a) < promptDigest(b) ? -1 : 1)).slice(0, 2);
    expect(gold.name).toBe('mmlu-gold');
    expect(heldout.name).toBe('mmlu-heldout');
    expect(gold.items.map((item) => item.prompt)).toEqual(prompts.filter((prompt) => lowest.includes(prompt)));
    expect(heldout.items.map((item) => item.prompt)).toEqual(prompts.filter((prompt) => !lowest.includes(prompt)));
  });

  it('keeps every copy of a repeated prompt on one side of the cut', () => {
    const prompts = ['alpha', 'beta', 'gamma', 'delta'];
    const first = [...prompts].sort((a, b) => (promptDigest(a) < promptDigest(b) ? -1 : 1))[0]!;
    const { gold, heldout } = splitMmluGold(mmluOf([...prompts, first]), 1);
    expect(gold.items.map((item) => item.prompt)).toEqual([first, first]);
    expect(heldout.items.some((item) => item.prompt === first)).toBe(false);
  });

  it('rejects a size that leaves no held-out rows', () => {
    expect(() => splitMmluGold(mmluOf(['a', 'b']), 2)).toThrow(InvalidInputError);
  });
});
