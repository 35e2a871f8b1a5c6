import { InvalidInputError } from './errors.ts';
import { solveSymmetricPositiveDefinite } from './linear-algebra.ts';

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

export function logit(p: number): number {
  return Math.log(p / (1 - p));
}

/** Largest change of any coefficient in one Newton step (log-odds units). */
const MAX_NEWTON_STEP = 2;

/** One observation of a logistic model whose features are mostly zero: log-odds = sum of values[k] * coef[indices[k]]. */
export interface SparseLogisticRow {
  readonly indices: readonly number[];
  readonly values: readonly number[];
  /** Observed probability of the positive outcome, in [0, 1] (soft labels allowed). */
  readonly target: number;
  readonly weight: number;
}

export interface LogisticFitOptions {
  /** Gaussian prior: penalty l2 / 2 * |coef - priorMean|^2 (default 1e-6, enough to pin unidentified directions). */
  readonly l2?: number;
  readonly priorMean?: Float64Array;
  readonly maxIterations?: number;
  /** Stop when no coefficient moves by more than this (default 1e-8). */
  readonly tolerance?: number;
}

/**
 * Maximum a-posteriori weighted logistic regression by Newton's method with a dense Hessian: exact and fast for
 * up to a few hundred coefficients over any number of sparse rows (a Bradley-Terry fit over 100 models and a few
 * annotator terms is such a problem). Deterministic.
 */
export function fitSparseLogistic(
  rows: readonly SparseLogisticRow[],
  dimensions: number,
  options: LogisticFitOptions = {},
): Float64Array {
  const l2 = options.l2 ?? 1e-6;
  const prior = options.priorMean ?? new Float64Array(dimensions);
  if (!(l2 > 0)) throw new InvalidInputError('The logistic fit needs a positive l2 penalty.');
  if (prior.length !== dimensions) throw new InvalidInputError('priorMean must have one entry per coefficient.');
  const coef = Float64Array.from(prior);
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-8;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const gradient = new Float64Array(dimensions);
    const hessian = new Float64Array(dimensions * dimensions);
    for (let d = 0; d < dimensions; d++) {
      gradient[d] = l2 * (coef[d]! - prior[d]!);
      hessian[d * dimensions + d] = l2;
    }
    for (const row of rows) {
      let z = 0;
      for (let k = 0; k < row.indices.length; k++) z += row.values[k]! * coef[row.indices[k]!]!;
      const p = sigmoid(z);
      const residual = row.weight * (p - row.target);
      const curvature = row.weight * p * (1 - p);
      for (let a = 0; a < row.indices.length; a++) {
        const ia = row.indices[a]!;
        gradient[ia] = gradient[ia]! + residual * row.values[a]!;
        for (let b = 0; b < row.indices.length; b++) {
          const cell = ia * dimensions + row.indices[b]!;
          hessian[cell] = hessian[cell]! + curvature * row.values[a]! * row.values[b]!;
        }
      }
    }
    const step = solveSymmetricPositiveDefinite(hessian, gradient);
    let largest = 0;
    for (let d = 0; d < dimensions; d++) largest = Math.max(largest, Math.abs(step[d]!));
    // Damped: on (nearly) separable data a full Newton step can overshoot into overflow.
    const damping = largest > MAX_NEWTON_STEP ? MAX_NEWTON_STEP / largest : 1;
    for (let d = 0; d < dimensions; d++) coef[d] = coef[d]! - damping * step[d]!;
    if (largest < tolerance) break;
  }
  return coef;
}
