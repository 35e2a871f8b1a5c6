import { describe, expect, it } from 'vitest';
import { average, clsPool, cosineSimilarity, meanPool, normalize, splitRows } from '../../src/encoder/pooling.ts';
import { InvalidInputError } from '../../src/core/errors.ts';

describe('pooling', () => {
  // Two rows, three positions, two dims; the second row's last position is padding.
  const hidden = Float32Array.from([1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 99, 99]);
  const shape = [2, 3, 2] as const;

  it('meanPool averages unmasked positions only', () => {
    const [first, second] = meanPool(hidden, shape, BigInt64Array.from([1n, 1n, 1n, 1n, 1n, 0n]));
    expect([...first!]).toEqual([3, 4]);
    expect([...second!]).toEqual([20, 30]);
  });

  it('meanPool leaves a fully masked row at zero', () => {
    expect([...meanPool(hidden, shape, new BigInt64Array(6))[0]!]).toEqual([0, 0]);
  });

  it('clsPool takes the first position', () => {
    expect(clsPool(hidden, shape).map((row) => [...row])).toEqual([
      [1, 2],
      [10, 20],
    ]);
  });

  it('splitRows cuts a matrix into rows', () => {
    expect(splitRows(Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]).map((row) => [...row])).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
  });

  it('normalize gives unit length and keeps a zero vector', () => {
    expect([...normalize(Float32Array.from([3, 4]))]).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect([...normalize(new Float32Array(2))]).toEqual([0, 0]);
  });

  it('average is element-wise', () => {
    expect([...average([Float32Array.from([1, 2]), Float32Array.from([3, 6])])]).toEqual([2, 4]);
    expect(() => average([])).toThrow(InvalidInputError);
  });

  it('cosineSimilarity', () => {
    expect(cosineSimilarity(Float32Array.from([1, 0]), Float32Array.from([2, 0]))).toBe(1);
    expect(cosineSimilarity(Float32Array.from([1, 0]), Float32Array.from([0, 3]))).toBe(0);
    expect(cosineSimilarity(Float32Array.from([1, 1]), Float32Array.from([-1, -1]))).toBeCloseTo(-1, 12);
  });
});
