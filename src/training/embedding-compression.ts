import {
  InvalidInputError,
  topK,
  createPrng,
  storedValues,
  type TensorToPack,
  dotRowsMany,
  projectRows,
  type ProjectedEmbeddings,
} from '../core/index.ts';

/**
 * Components kept when a nearest-neighbour router's training embeddings are shipped. Measured on the training
 * prompts (USE-lite, 512 dimensions): 192 principal axes hold 97% of the embeddings' energy and, stored as int8,
 * keep about 95% of each prompt's exact 10 nearest neighbours and 97% of its 50 nearest; a file of ~7,300 rows
 * then stays well under 2 MB (from 7.5 MB at float16 x 512).
 */
export const EMBEDDING_COMPONENTS = 192;

/** Training prompts used as queries when measuring how well the compressed rows keep their neighbours, and the k measured. */
export const RECALL_QUERIES = 500;
export const RECALL_AT = [10, 50] as const;

/**
 * Eigenvalues and eigenvectors of a symmetric matrix (row-major, n x n): Householder reduction to tridiagonal form,
 * then the implicit QL algorithm (tred2 / tql2 of EISPACK, as in the public-domain JAMA library). Eigenvalues
 * come back in descending order; eigenvector i is column i of `vectors` (row-major n x n), its largest-magnitude
 * entry positive so the result does not depend on the solver's sign choices.
 */
export function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  if (matrix.length !== n * n)
    throw new InvalidInputError(`A ${n} x ${n} matrix needs ${n * n} values, got ${matrix.length}.`);
  const v = Float64Array.from(matrix);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return { values: d, vectors: v };
  householderTridiagonal(v, d, e, n);
  implicitQl(v, d, e, n);
  const order = Array.from({ length: n }, (_, index) => index).sort((a, b) => d[b]! - d[a]! || a - b);
  const values = Float64Array.from(order, (index) => d[index]!);
  const vectors = new Float64Array(n * n);
  order.forEach((source, target) => {
    let largest = 0;
    for (let k = 0; k < n; k++) if (Math.abs(v[k * n + source]!) > Math.abs(largest)) largest = v[k * n + source]!;
    const sign = largest < 0 ? -1 : 1;
    for (let k = 0; k < n; k++) vectors[k * n + target] = sign * v[k * n + source]!;
  });
  return { values, vectors };
}

function householderTridiagonal(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = v[(n - 1) * n + j]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = v[(i - 1) * n + j]!;
        v[i * n + j] = 0;
        v[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] = d[k]! / scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = f > 0 ? -Math.sqrt(h) : Math.sqrt(h);
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        v[j * n + i] = f;
        g = e[j]! + v[j * n + j]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[k * n + j]! * d[k]!;
          e[k] = e[k]! + v[k * n + j]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = e[j]! / h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) v[k * n + j] = v[k * n + j]! - (f * e[k]! + g * d[k]!);
        d[j] = v[(i - 1) * n + j]!;
        v[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    v[(n - 1) * n + i] = v[i * n + i]!;
    v[i * n + i] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[k * n + i + 1]! / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[k * n + i + 1]! * v[k * n + j]!;
        for (let k = 0; k <= i; k++) v[k * n + j] = v[k * n + j]! - g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) v[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[(n - 1) * n + j]!;
    v[(n - 1) * n + j] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

function implicitQl(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let largest = 0;
  const epsilon = 2 ** -52;
  for (let l = 0; l < n; l++) {
    largest = Math.max(largest, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n && Math.abs(e[m]!) > epsilon * largest) m++;
    if (m > l) {
      do {
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          for (let k = 0; k < n; k++) {
            h = v[k * n + i + 1]!;
            v[k * n + i + 1] = s * v[k * n + i]! + c * h;
            v[k * n + i] = c * v[k * n + i]! - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > epsilon * largest);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}

/**
 * The top principal axes of a set of rows, uncentred (eigenvectors of XᵀX): projecting two rows onto them keeps
 * their dot product as well as any linear map of that size can, which is what nearest-neighbour routing needs.
 * Returns the projection [dimensions, components] and the share of the rows' energy (sum of squares) it keeps.
 */
export function principalAxes(
  matrix: Float32Array,
  dimensions: number,
  components: number,
): { projection: Float32Array; retainedEnergy: number } {
  const rows = matrix.length / dimensions;
  if (!Number.isInteger(rows) || components < 1 || components > dimensions)
    throw new InvalidInputError(`Cannot keep ${components} of ${dimensions} dimensions of ${matrix.length} values.`);
  const gram = new Float64Array(dimensions * dimensions);
  for (let row = 0; row < rows; row++) {
    const offset = row * dimensions;
    for (let i = 0; i < dimensions; i++) {
      const value = matrix[offset + i]!;
      if (value === 0) continue;
      const target = i * dimensions;
      for (let j = i; j < dimensions; j++) gram[target + j] = gram[target + j]! + value * matrix[offset + j]!;
    }
  }
  for (let i = 0; i < dimensions; i++) for (let j = 0; j < i; j++) gram[i * dimensions + j] = gram[j * dimensions + i]!;
  const { values, vectors } = symmetricEigen(gram, dimensions);
  const projection = new Float32Array(dimensions * components);
  for (let i = 0; i < dimensions; i++)
    for (let c = 0; c < components; c++) projection[i * components + c] = vectors[i * dimensions + c]!;
  const total = values.reduce((sum, value) => sum + Math.max(0, value), 0);
  const kept = values.subarray(0, components).reduce((sum, value) => sum + Math.max(0, value), 0);
  return { projection, retainedEnergy: total > 0 ? kept / total : 1 };
}

export interface CompressionReport {
  readonly components: number;
  readonly retainedEnergy: number;
  /** Mean share of each query's exact k nearest rows (full embeddings, itself excluded) that the shipped rows also rank top k. */
  readonly neighbourRecall: Record<string, number>;
  readonly recallQueries: number;
}

export interface CompressedEmbeddings {
  /** The tensors to ship: `projection` (float16) and `embeddings` (int8 per row). */
  readonly tensors: { projection: TensorToPack; embeddings: TensorToPack };
  /** The same numbers as the router will read them back, for cross-validation on what ships. */
  readonly stored: ProjectedEmbeddings;
  readonly report: CompressionReport;
}

/**
 * Compresses a router's training embeddings (row-major [rows, dimensions], unit length) for shipping: principal
 * axes learned on these rows alone (never a benchmark), the rows projected onto them and stored as int8, the
 * projection as float16. Also measures, on a seeded sample of the rows, how many exact neighbours survive.
 */
export function compressEmbeddings(
  matrix: Float32Array,
  dimensions: number,
  options: { components?: number; seed: number },
): CompressedEmbeddings {
  const rows = matrix.length / dimensions;
  const components = Math.min(options.components ?? EMBEDDING_COMPONENTS, dimensions);
  const { projection, retainedEnergy } = principalAxes(matrix, dimensions, components);
  const vectors = Array.from({ length: rows }, (_, row) => matrix.subarray(row * dimensions, (row + 1) * dimensions));
  const projectionTensor: TensorToPack = { dtype: 'float16', shape: [dimensions, components], data: projection };
  const storedProjection = storedValues(projectionTensor);
  const projected = new Float32Array(rows * components);
  projectRows(vectors, storedProjection, dimensions, components).forEach((row, index) =>
    projected.set(row, index * components),
  );
  const embeddingsTensor: TensorToPack = { dtype: 'int8', shape: [rows, components], data: projected };
  const stored: ProjectedEmbeddings = {
    inputDimensions: dimensions,
    dimensions: components,
    projection: storedProjection,
    rows: storedValues(embeddingsTensor),
  };

  const sample = sampleRows(rows, Math.min(RECALL_QUERIES, rows), options.seed);
  const queries = sample.map((row) => vectors[row]!);
  const exact = dotRowsMany(queries, matrix, dimensions);
  const approximate = dotRowsMany(
    projectRows(queries, stored.projection, dimensions, components),
    stored.rows,
    components,
  );
  const neighbourRecall: Record<string, number> = {};
  for (const k of RECALL_AT) {
    let found = 0;
    let wanted = 0;
    sample.forEach((row, index) => {
      // The query itself is a training row: exclude it from both rankings.
      exact[index]![row] = -Infinity;
      approximate[index]![row] = -Infinity;
      const truth = new Set(topK(exact[index]!, Math.min(k, rows - 1)));
      for (const neighbour of topK(approximate[index]!, Math.min(k, rows - 1))) if (truth.has(neighbour)) found++;
      wanted += truth.size;
    });
    neighbourRecall[`@${k}`] = wanted > 0 ? found / wanted : 1;
  }
  return {
    tensors: { projection: projectionTensor, embeddings: embeddingsTensor },
    stored,
    report: { components, retainedEnergy, neighbourRecall, recallQueries: sample.length },
  };
}

function sampleRows(rows: number, count: number, seed: number): number[] {
  const next = createPrng(seed + 7);
  const order = Array.from({ length: rows }, (_, index) => index);
  for (let index = rows - 1; index > 0; index--) {
    const other = Math.floor(next() * (index + 1));
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  return order.slice(0, count).sort((a, b) => a - b);
}
