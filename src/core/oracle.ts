import { modelQuality, type Benchmark } from './benchmark.ts';
import type { QualityPoint } from './curve.ts';

/**
 * The best any router could do on a benchmark (the paper's "optimal" curve): with a budget of c strong calls,
 * send the c prompts where the strong model gains most over the weak one, and never a prompt where it does
 * not gain. Returned as the exact piecewise-linear curve through its corners, from 0% to 100% strong calls.
 * A fractional budget interpolates linearly between whole calls, as RouteLLM's MMLU and GSM8K oracle does
 * (its MT-Bench oracle rounds the budget down, a staircase under this line).
 */
export function oracleCurve(benchmark: Benchmark): QualityPoint[] {
  const count = benchmark.items.length;
  const gains = benchmark.items
    .map((item) => item.strongQuality - item.weakQuality)
    .filter((gain) => gain > 0)
    .sort((a, b) => b - a);

  let quality = modelQuality(benchmark, 'weak');
  const points: QualityPoint[] = [{ strongPercentage: 0, quality }];
  gains.forEach((gain, index) => {
    quality += gain / count;
    // A corner only where the slope changes (the next gain differs) or where the gains run out.
    if (index === gains.length - 1 || gains[index + 1] !== gain) {
      points.push({ strongPercentage: ((index + 1) / count) * 100, quality });
    }
  });
  if (gains.length < count) points.push({ strongPercentage: 100, quality });
  return points;
}
