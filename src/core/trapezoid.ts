import { InvalidInputError } from './errors.ts';

/**
 * Trapezoid-rule integral of y over x, as `np.trapz(y, x)`: x need not be increasing (a step backwards
 * subtracts area, as in numpy), and zero-width steps from repeated x add nothing.
 */
export function trapezoid(y: readonly number[], x: readonly number[]): number {
  if (y.length !== x.length) throw new InvalidInputError(`trapezoid: ${y.length} y values for ${x.length} x values`);
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i]! - x[i - 1]!) * (y[i]! + y[i - 1]!)) / 2;
  return area;
}
