import { describe, expect, it } from 'vitest';
import { compressEmbeddings, principalAxes, symmetricEigen } from '../../src/training/embedding-compression.ts';
import { createPrng } from '../../src/core/prng.ts';

describe('symmetricEigen', () => {
  it('solves A v = λ v with orthonormal vectors, largest eigenvalue first', () => {
    const next = createPrng(3);
    const n = 6;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = next() - 0.5;
    const { values, vectors } = symmetricEigen(a, n);
    for (let c = 0; c < n; c++) {
      if (c > 0) expect(values[c]).toBeLessThanOrEqual(values[c - 1]!);
      for (let i = 0; i < n; i++) {
        let product = 0;
        for (let j = 0; j < n; j++) product += a[i * n + j]! * vectors[j * n + c]!;
        expect(product).toBeCloseTo(values[c]! * vectors[i * n + c]!, 10);
      }
      for (let other = 0; other < n; other++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += vectors[i * n + c]! * vectors[i * n + other]!;
        expect(dot).toBeCloseTo(c === other ? 1 : 0, 10);
      }
    }
  });

  it('returns the diagonal of a diagonal matrix in descending order', () => {
    expect(Array.from(symmetricEigen(Float64Array.of(1, 0, 0, 0, 3, 0, 0, 0, 2), 3).values)).toEqual([3, 2, 1]);
  });
});

describe('embedding compression', () => {
  // Unit vectors in 8 dimensions that live (up to small noise) in a 3-dimensional subspace.
  const next = createPrng(5);
  const dimensions = 8;
  const rows = 200;
  const matrix = new Float32Array(rows * dimensions);
  for (let row = 0; row < rows; row++) {
    const v = Array.from({ length: dimensions }, (_, d) => (d < 3 ? next() - 0.5 : 0.001 * (next() - 0.5)));
    const norm = Math.hypot(...v);
    v.forEach((value, d) => (matrix[row * dimensions + d] = value / norm));
  }

  it('keeps the energy of a low-dimensional set in as many principal axes', () => {
    expect(principalAxes(matrix, dimensions, 3).retainedEnergy).toBeGreaterThan(0.9999);
    expect(principalAxes(matrix, dimensions, 1).retainedEnergy).toBeLessThan(0.7);
  });

  it('ships int8 rows and a float16 projection that keep the neighbours, and measures how many', () => {
    const compressed = compressEmbeddings(matrix, dimensions, { components: 3, seed: 0 });
    expect(compressed.tensors.embeddings).toMatchObject({ dtype: 'int8', shape: [rows, 3] });
    expect(compressed.tensors.projection).toMatchObject({ dtype: 'float16', shape: [dimensions, 3] });
    expect(compressed.report.recallQueries).toBe(rows);
    expect(compressed.report.neighbourRecall['@10']).toBeGreaterThan(0.9);
    const oneAxis = compressEmbeddings(matrix, dimensions, { components: 1, seed: 0 });
    expect(oneAxis.report.neighbourRecall['@10']).toBeLessThan(compressed.report.neighbourRecall['@10']!);
  });
});
