import { describe, expect, it } from 'vitest';
import { createPrng } from '../../src/core/prng.ts';
import {
  dotRows,
  dotRowsMany,
  maxDotProducts,
  packRows,
  projectedSimilarities,
  projectRows,
} from '../../src/core/similarity.ts';

const next = createPrng(11);
const random = (rows: number, dimensions: number) =>
  Array.from({ length: rows }, () => Array.from({ length: dimensions }, () => next() - 0.5));

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
      Array.from(dotRows(query, matrix, dimensions)).forEach((value, row) =>
        expect(value).toBeCloseTo(expected[row]!, 5),
      );
      Array.from(many[index]!).forEach((value, row) => expect(value).toBeCloseTo(expected[row]!, 5));
    });
  });

  it("maxDotProducts finds each query's best row", () => {
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

  it('projects queries once and compares them with stored projected rows', () => {
    // A [7, 3] projection onto the first three axes, reversed.
    const projection = new Float32Array(dimensions * 3);
    [2, 1, 0].forEach((input, output) => (projection[input * 3 + output] = 1));
    const [projected] = projectRows([queries[0]!], projection, dimensions, 3);
    expect(Array.from(projected!)).toEqual([2, 1, 0].map((axis) => Math.fround(queries[0]![axis]!)));
    const rows = packRows(projectRows(corpus, projection, dimensions, 3), 3);
    const [similarities] = projectedSimilarities([queries[0]!], {
      inputDimensions: dimensions,
      dimensions: 3,
      projection,
      rows,
    });
    corpus.forEach((row, index) =>
      expect(similarities![index]).toBeCloseTo(
        row[0]! * queries[0]![0]! + row[1]! * queries[0]![1]! + row[2]! * queries[0]![2]!,
        5,
      ),
    );
    expect(() => projectRows([[1, 2]], projection, dimensions, 3)).toThrow(/Vector 0 has 2 dimensions, expected 7/);
  });
});
