/** Vector maths on embeddings: pooling token states into one vector per row, normalising, averaging. */

import { InvalidInputError } from '../core/index.ts';

/** Attention-masked mean over positions of hidden states [rows, length, dims]. */
export function meanPool(
  hidden: Float32Array,
  [rows, length, dims]: readonly [number, number, number],
  attentionMask: BigInt64Array,
): Float32Array[] {
  return Array.from({ length: rows }, (_, row) => {
    const pooled = new Float32Array(dims);
    let count = 0;
    for (let position = 0; position < length; position++) {
      if (attentionMask[row * length + position] === 0n) continue;
      count += 1;
      const offset = (row * length + position) * dims;
      for (let dim = 0; dim < dims; dim++) pooled[dim]! += hidden[offset + dim]!;
    }
    return count > 0 ? pooled.map((value) => value / count) : pooled;
  });
}

/** The first position's state (BERT's [CLS]) of hidden states [rows, length, dims]. */
export function clsPool(hidden: Float32Array, [rows, length, dims]: readonly [number, number, number]): Float32Array[] {
  return Array.from({ length: rows }, (_, row) => hidden.slice(row * length * dims, row * length * dims + dims));
}

/** Rows of a [rows, dims] matrix. */
export function splitRows(matrix: Float32Array, [rows, dims]: readonly [number, number]): Float32Array[] {
  return Array.from({ length: rows }, (_, row) => matrix.slice(row * dims, (row + 1) * dims));
}

/** Unit-length copy (a zero vector stays zero). */
export function normalize(vector: Float32Array): Float32Array {
  const norm = Math.sqrt(dot(vector, vector));
  return norm > 0 ? vector.map((value) => value / norm) : vector.slice();
}

/** Element-wise mean of equal-length vectors. */
export function average(vectors: readonly Float32Array[]): Float32Array {
  const first = vectors[0];
  if (!first) throw new InvalidInputError('average of no vectors');
  const sum = new Float32Array(first.length);
  for (const vector of vectors) for (let dim = 0; dim < sum.length; dim++) sum[dim]! += vector[dim]!;
  return sum.map((value) => value / vectors.length);
}

export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  const denominator = Math.sqrt(dot(a, a) * dot(b, b));
  return denominator > 0 ? dot(a, b) / denominator : 0;
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += a[index]! * b[index]!;
  return sum;
}
