import { InvalidInputError } from './errors.ts';

/** Row-major packing of equal-length vectors into one Float32Array (the layout router weight files use). */
export function packRows(vectors: readonly ArrayLike<number>[], dimensions: number): Float32Array {
  const matrix = new Float32Array(vectors.length * dimensions);
  vectors.forEach((vector, row) => {
    if (vector.length !== dimensions)
      throw new InvalidInputError(`Vector ${row} has ${vector.length} dimensions, expected ${dimensions}.`);
    matrix.set(vector, row * dimensions);
  });
  return matrix;
}

/** Dot products of one query with every row of a row-major matrix. */
export function dotRows(
  query: ArrayLike<number>,
  matrix: Float32Array,
  dimensions: number,
  out: Float32Array = new Float32Array(matrix.length / dimensions),
): Float32Array {
  const rows = matrix.length / dimensions;
  for (let row = 0; row < rows; row++) {
    const offset = row * dimensions;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let d = 0;
    for (; d + 3 < dimensions; d += 4) {
      s0 += query[d]! * matrix[offset + d]!;
      s1 += query[d + 1]! * matrix[offset + d + 1]!;
      s2 += query[d + 2]! * matrix[offset + d + 2]!;
      s3 += query[d + 3]! * matrix[offset + d + 3]!;
    }
    for (; d < dimensions; d++) s0 += query[d]! * matrix[offset + d]!;
    out[row] = s0 + s1 + s2 + s3;
  }
  return out;
}

/**
 * For each row of `queries`, the largest dot product with any row of `corpus` and that row's index. Queries are
 * taken four at a time so each corpus row is read once per four queries (about twice as fast as one at a time).
 */
export function maxDotProducts(
  queries: Float32Array,
  corpus: Float32Array,
  dimensions: number,
): { max: Float32Array; argmax: Int32Array } {
  const queryCount = queries.length / dimensions;
  const corpusCount = corpus.length / dimensions;
  if (!Number.isInteger(queryCount) || !Number.isInteger(corpusCount))
    throw new InvalidInputError('Matrix sizes must be multiples of the dimensions.');
  const max = new Float32Array(queryCount).fill(-Infinity);
  const argmax = new Int32Array(queryCount).fill(-1);
  const block = 4;
  for (let first = 0; first < queryCount; first += block) {
    const count = Math.min(block, queryCount - first);
    const q0 = first * dimensions;
    const q1 = count > 1 ? q0 + dimensions : q0;
    const q2 = count > 2 ? q0 + 2 * dimensions : q0;
    const q3 = count > 3 ? q0 + 3 * dimensions : q0;
    let m0 = -Infinity,
      m1 = -Infinity,
      m2 = -Infinity,
      m3 = -Infinity;
    let a0 = -1,
      a1 = -1,
      a2 = -1,
      a3 = -1;
    for (let row = 0; row < corpusCount; row++) {
      const offset = row * dimensions;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let d = 0; d < dimensions; d++) {
        const x = corpus[offset + d]!;
        s0 += queries[q0 + d]! * x;
        s1 += queries[q1 + d]! * x;
        s2 += queries[q2 + d]! * x;
        s3 += queries[q3 + d]! * x;
      }
      if (s0 > m0) {
        m0 = s0;
        a0 = row;
      }
      if (s1 > m1) {
        m1 = s1;
        a1 = row;
      }
      if (s2 > m2) {
        m2 = s2;
        a2 = row;
      }
      if (s3 > m3) {
        m3 = s3;
        a3 = row;
      }
    }
    const found: [number, number][] = [
      [m0, a0],
      [m1, a1],
      [m2, a2],
      [m3, a3],
    ];
    for (let k = 0; k < count; k++) {
      max[first + k] = found[k]![0];
      argmax[first + k] = found[k]![1];
    }
  }
  return { max, argmax };
}

/**
 * Dot products of several queries with every row of a row-major matrix, one Float32Array per query. Queries go
 * four at a time so each matrix row is read once per four queries (about twice as fast as dotRows per query).
 */
export function dotRowsMany(
  queries: readonly ArrayLike<number>[],
  matrix: Float32Array,
  dimensions: number,
): Float32Array[] {
  const rows = matrix.length / dimensions;
  const results = queries.map(() => new Float32Array(rows));
  for (let first = 0; first < queries.length; first += 4) {
    const q0 = queries[first]!;
    const q1 = queries[Math.min(first + 1, queries.length - 1)]!;
    const q2 = queries[Math.min(first + 2, queries.length - 1)]!;
    const q3 = queries[Math.min(first + 3, queries.length - 1)]!;
    const r0 = results[first]!;
    const r1 = results[Math.min(first + 1, queries.length - 1)]!;
    const r2 = results[Math.min(first + 2, queries.length - 1)]!;
    const r3 = results[Math.min(first + 3, queries.length - 1)]!;
    for (let row = 0; row < rows; row++) {
      const offset = row * dimensions;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let d = 0; d < dimensions; d++) {
        const x = matrix[offset + d]!;
        s0 += q0[d]! * x;
        s1 += q1[d]! * x;
        s2 += q2[d]! * x;
        s3 += q3[d]! * x;
      }
      r0[row] = s0;
      r1[row] = s1;
      r2[row] = s2;
      r3[row] = s3;
    }
  }
  return results;
}

/**
 * Training-prompt embeddings stored in a subspace learned from them (their principal axes): a query embedding is
 * projected once (query · projection) and compared with every stored row by a dot product, which approximates the
 * cosine similarity of the full embeddings at a fraction of the size and time.
 */
export interface ProjectedEmbeddings {
  /** Dimensions of the encoder's embeddings. */
  readonly inputDimensions: number;
  /** Dimensions kept (columns of the projection, length of each stored row). */
  readonly dimensions: number;
  /** Row-major [inputDimensions, dimensions]. */
  readonly projection: Float32Array;
  /** Row-major [rows, dimensions]: the training embeddings already projected. */
  readonly rows: Float32Array;
}

/** Each vector times the projection ([inputDimensions, dimensions], row-major). */
export function projectRows(
  vectors: readonly ArrayLike<number>[],
  projection: Float32Array,
  inputDimensions: number,
  dimensions: number,
): Float32Array[] {
  if (projection.length !== inputDimensions * dimensions)
    throw new InvalidInputError(
      `A [${inputDimensions}, ${dimensions}] projection needs ${inputDimensions * dimensions} values, got ${projection.length}.`,
    );
  return vectors.map((vector, index) => {
    if (vector.length !== inputDimensions)
      throw new InvalidInputError(`Vector ${index} has ${vector.length} dimensions, expected ${inputDimensions}.`);
    const projected = new Float32Array(dimensions);
    for (let input = 0; input < inputDimensions; input++) {
      const value = vector[input]!;
      if (value === 0) continue;
      const offset = input * dimensions;
      for (let output = 0; output < dimensions; output++)
        projected[output] = projected[output]! + value * projection[offset + output]!;
    }
    return projected;
  });
}

/** Similarities of each query embedding (encoder dimensions) to every stored row, one Float32Array per query. */
export function projectedSimilarities(
  queries: readonly ArrayLike<number>[],
  embeddings: ProjectedEmbeddings,
): Float32Array[] {
  return dotRowsMany(
    projectRows(queries, embeddings.projection, embeddings.inputDimensions, embeddings.dimensions),
    embeddings.rows,
    embeddings.dimensions,
  );
}
