import { describe, expect, it } from 'vitest';
import { createPrng } from '../../src/core/prng.ts';
import { dotRows, dotRowsMany, maxDotProducts, packRows } from '../../src/core/similarity.ts';

const next = createPrng(11);
const random = (rows: number, dimensions: number) => Array.from({ length: rows }, () => Array.from({ length: dimensions }, () => next() - 0.5));

describe('similarity kernels', () => {
  const dimensions = 7;
  const corpus = random(13, dimensions);
  const queries = random(6, dimensions);
  const matrix = packRows(corpus, dimensions);
  const naive = (query: number[]) => corpus.map((row) => row.reduce((sum, value, d) => sum + value * query[d]!, 0));

  it('dotRows and dotRowsMany agree with a naive dot product (query counts not a multiple of four)', () => {
    const many = dotRowsMany(queries, matrix, dimensions);
    queries.forEach((query, index) => {
      const expected = naive(query);
      Array.from(dotRows(query, matrix, dimensions)).forEach((value, row) => expect(value).toBeCloseTo(expected[row]!, 5));
      Array.from(many[index]!).forEach((value, row) => expect(value).toBeCloseTo(expected[row]!, 5));
    });
  });

  it('maxDotProducts finds each query\'s best row', () => {
    const { max, argmax } = maxDotProducts(packRows(queries, dimensions), matrix, dimensions);
    queries.forEach((query, index) => {
      const expected = naive(query);
      const best = expected.indexOf(Math.max(...expected));
      expect(argmax[index]).toBe(best);
      expect(max[index]).toBeCloseTo(expected[best]!, 5);
    });
  });

  it('packRows rejects a vector of the wrong size', () => {
    expect(() => packRows([[1, 2], [1]], 2)).toThrow(/Vector 1 has 1 dimensions/);
  });
});
