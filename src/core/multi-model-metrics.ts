/**
 * Quality-cost evaluation of routing among N models (`npm run eval -- --multi`, issue 14): every single model's
 * (cost, quality) point, a router's curve as the costWeight policy's lambda is swept, the non-decreasing convex hull of
 * each, AIQ, the oracle, the cost at which a router reaches the best single model's quality, and its quality at the
 * cheapest model's cost. Cost is the mean expected cost per 1,000 requests in USD; quality is the dataset's own
 * per-prompt label (0/1 correct, a pass rate, a judged win rate) averaged over prompts.
 */
import { InvalidInputError } from './errors.ts';
import { chooseModelIndex } from './model-selection.ts';

/** Labels of many models on the same prompts, with each prompt's expected cost on each model. */
export interface MultiModelSet {
  readonly models: readonly string[];
  /** Per prompt, per model (`models` order): the measured quality, 0..1. */
  readonly labels: readonly ArrayLike<number>[];
  /** Per prompt, per model: the expected cost of the request in USD. */
  readonly costs: readonly ArrayLike<number>[];
}

export interface CostQualityPoint {
  /** Mean cost per 1,000 requests, USD. */
  readonly costPer1000Usd: number;
  /** Mean quality, 0..1. */
  readonly quality: number;
}

export interface ModelPoint extends CostQualityPoint {
  readonly model: string;
}

export interface RouterCurvePoint extends CostQualityPoint {
  readonly lambda: number;
}

function checkSet(set: MultiModelSet): void {
  const count = set.models.length;
  if (count === 0) throw new InvalidInputError('A multi-model evaluation needs at least one model.');
  if (set.labels.length === 0) throw new InvalidInputError('A multi-model evaluation needs at least one prompt.');
  if (set.costs.length !== set.labels.length) {
    throw new InvalidInputError(`Got ${set.costs.length} cost rows for ${set.labels.length} prompts.`);
  }
  set.labels.forEach((row, index) => {
    if (row.length !== count || set.costs[index]!.length !== count) {
      throw new InvalidInputError(
        `Prompt ${index} has ${row.length} labels and ${set.costs[index]!.length} costs for ${count} models.`,
      );
    }
  });
}

/** Each model's point when it answers every prompt. */
export function singleModelPoints(set: MultiModelSet): ModelPoint[] {
  checkSet(set);
  return set.models.map((model, index) => {
    let cost = 0;
    let quality = 0;
    for (let prompt = 0; prompt < set.labels.length; prompt++) {
      cost += set.costs[prompt]![index]!;
      quality += set.labels[prompt]![index]!;
    }
    return { model, costPer1000Usd: (cost / set.labels.length) * 1000, quality: quality / set.labels.length };
  });
}

/** The point of a routing: per prompt the chosen model's cost and measured quality, averaged. */
export function routedPoint(set: MultiModelSet, chosen: ArrayLike<number>): CostQualityPoint {
  let cost = 0;
  let quality = 0;
  for (let prompt = 0; prompt < set.labels.length; prompt++) {
    cost += set.costs[prompt]![chosen[prompt]!]!;
    quality += set.labels[prompt]![chosen[prompt]!]!;
  }
  return { costPer1000Usd: (cost / set.labels.length) * 1000, quality: quality / set.labels.length };
}

/** The oracle: per prompt the cheapest of the models that answer it best (measured, not predicted). */
export function oracleChoices(set: MultiModelSet): Int32Array {
  checkSet(set);
  return Int32Array.from(set.labels, (labels, prompt) =>
    chooseModelIndex(labels, set.costs[prompt]!, { cheapestWithin: { epsilon: 0 } }),
  );
}

/**
 * The lambdas to sweep: 0 (best predicted quality), a geometric grid up to the largest lambda at which any prompt's
 * choice still changes (a quality gain over a cost gap between two models), and Infinity (the cheapest model).
 */
export function lambdaGrid(
  predictions: readonly ArrayLike<number>[],
  costs: readonly ArrayLike<number>[],
  steps = 200,
): number[] {
  let high = 0;
  let low = Number.POSITIVE_INFINITY;
  predictions.forEach((qualities, prompt) => {
    const cost = costs[prompt]!;
    for (let i = 0; i < qualities.length; i++) {
      for (let j = 0; j < qualities.length; j++) {
        const gain = qualities[i]! - qualities[j]!;
        if (gain > 0 && cost[i]! > cost[j]!) {
          const ratio = gain / (cost[i]! - cost[j]!);
          high = Math.max(high, ratio);
          low = Math.min(low, ratio);
        }
      }
    }
  });
  if (high === 0) return [0, Number.POSITIVE_INFINITY];
  const from = Math.log(low * 0.5);
  const to = Math.log(high * 2);
  return [
    0,
    ...Array.from({ length: steps }, (_, step) => Math.exp(from + ((to - from) * step) / (steps - 1))),
    Number.POSITIVE_INFINITY,
  ];
}

/** The router's curve: for each lambda of costWeight, the point of routing every prompt on its predictions. */
export function routerCurve(
  set: MultiModelSet,
  predictions: readonly ArrayLike<number>[],
  lambdas: readonly number[] = lambdaGrid(predictions, set.costs),
): RouterCurvePoint[] {
  checkSet(set);
  if (predictions.length !== set.labels.length) {
    throw new InvalidInputError(`Got predictions for ${predictions.length} prompts, labels for ${set.labels.length}.`);
  }
  predictions.forEach((row, index) => {
    if (row.length !== set.models.length) {
      throw new InvalidInputError(`Prompt ${index} has ${row.length} predictions for ${set.models.length} models.`);
    }
  });
  return lambdas.map((lambda) => {
    const chosen = Int32Array.from(predictions, (qualities, prompt) =>
      chooseModelIndex(qualities, set.costs[prompt]!, { costWeight: { lambda } }),
    );
    return { lambda, ...routedPoint(set, chosen) };
  });
}

const cross = (o: CostQualityPoint, a: CostQualityPoint, b: CostQualityPoint) =>
  (a.costPer1000Usd - o.costPer1000Usd) * (b.quality - o.quality) -
  (a.quality - o.quality) * (b.costPer1000Usd - o.costPer1000Usd);

/**
 * The non-decreasing convex hull of operating points (RouterBench's R~): the upper concave envelope from the cheapest
 * point to the best one, flat after it. Every point on it is reachable by mixing the two operating points at the ends
 * of its segment at random, which is why single models are compared by their hull too. Returns the hull's vertices by
 * increasing cost; past the last one, quality stays at its value.
 */
export function nonDecreasingConvexHull(points: readonly CostQualityPoint[]): CostQualityPoint[] {
  if (points.length === 0) throw new InvalidInputError('A hull needs at least one point.');
  const sorted = [...points]
    .map(({ costPer1000Usd, quality }) => ({ costPer1000Usd, quality }))
    .sort((a, b) => a.costPer1000Usd - b.costPer1000Usd || b.quality - a.quality);
  const hull: CostQualityPoint[] = [];
  for (const point of sorted) {
    const last = hull[hull.length - 1];
    // Only points that improve on the best so far can be on a non-decreasing hull.
    if (last !== undefined && point.quality <= last.quality) continue;
    while (hull.length >= 2 && cross(hull[hull.length - 2]!, hull[hull.length - 1]!, point) >= 0) hull.pop();
    hull.push(point);
  }
  return hull;
}

/**
 * Quality of a hull at a cost: linear between vertices, the last vertex's quality beyond it. Below the hull's first
 * vertex (cheaper than any operating point) there is no operating point: NaN.
 */
export function hullQualityAt(hull: readonly CostQualityPoint[], cost: number): number {
  const first = hull[0]!;
  if (cost < first.costPer1000Usd) return Number.NaN;
  for (let index = 1; index < hull.length; index++) {
    const right = hull[index]!;
    if (cost <= right.costPer1000Usd) {
      const left = hull[index - 1]!;
      const share = (cost - left.costPer1000Usd) / (right.costPer1000Usd - left.costPer1000Usd);
      return left.quality + share * (right.quality - left.quality);
    }
  }
  return hull[hull.length - 1]!.quality;
}

/** The least cost at which a hull reaches a quality, or undefined when it never does. */
export function hullCostToReach(hull: readonly CostQualityPoint[], quality: number): number | undefined {
  const first = hull[0]!;
  if (first.quality >= quality) return first.costPer1000Usd;
  for (let index = 1; index < hull.length; index++) {
    const right = hull[index]!;
    if (right.quality >= quality) {
      const left = hull[index - 1]!;
      const share = (quality - left.quality) / (right.quality - left.quality);
      return left.costPer1000Usd + share * (right.costPer1000Usd - left.costPer1000Usd);
    }
  }
  return undefined;
}

/**
 * AIQ, "average improvement in quality", as RouterBench defines it (Hu et al., "RouterBench: A Benchmark for Multi-LLM
 * Routing System", arXiv:2403.12031, section 3.2): AIQ(R) = 1 / (c_max - c_min) x integral from c_min to c_max of
 * R~(c) dc, where R~ is the non-decreasing convex hull of the router's (cost, quality) points and [c_min, c_max] the
 * cost range every router of the comparison is measured over (here: the cheapest to the dearest single model).
 * Below the hull's cheapest point (which a router whose cheapest setting picks each prompt's cheapest model never
 * has within the range) the hull's first quality is used.
 */
export function aiq(hull: readonly CostQualityPoint[], costRange: readonly [number, number]): number {
  const [low, high] = costRange;
  if (!(high > low)) throw new InvalidInputError(`AIQ needs a cost range with max > min, got [${low}, ${high}].`);
  const at = (cost: number) => (cost < hull[0]!.costPer1000Usd ? hull[0]!.quality : hullQualityAt(hull, cost));
  // The hull is piecewise linear: the trapezoid rule over its vertices inside the range (and the range's ends) is exact.
  const xs = [low, ...hull.map((point) => point.costPer1000Usd).filter((cost) => cost > low && cost < high), high];
  let area = 0;
  for (let index = 1; index < xs.length; index++) {
    area += ((xs[index]! - xs[index - 1]!) * (at(xs[index]!) + at(xs[index - 1]!))) / 2;
  }
  return area / (high - low);
}

/** The figures issue 14 asks of a router on one dataset, beside every single model and the oracle. */
export interface MultiModelEvaluation {
  readonly models: readonly ModelPoint[];
  readonly singleModelHull: readonly CostQualityPoint[];
  readonly bestModel: ModelPoint;
  readonly cheapestModel: ModelPoint;
  readonly oracle: CostQualityPoint;
  readonly curve: readonly RouterCurvePoint[];
  readonly hull: readonly CostQualityPoint[];
  /** RouterBench's AIQ of the router and of the single models' hull, over the single models' cost range. */
  readonly aiq: number;
  readonly singleModelAiq: number;
  /** The router's least cost to reach the best single model's quality; undefined when it never does. */
  readonly costAtBestQuality: number | undefined;
  /** 1 - costAtBestQuality / the best model's cost (the share saved), undefined when never reached. */
  readonly savedAtBestQuality: number | undefined;
  /** The router's quality at the cheapest model's cost (NaN if it has no point that cheap). */
  readonly qualityAtCheapestCost: number;
  /** The router's best quality on its curve. */
  readonly maxQuality: number;
}

/** The best single model (highest quality, then the cheaper) and the cheapest one (then the better). */
function bestAndCheapest(points: readonly ModelPoint[]): { best: ModelPoint; cheapest: ModelPoint } {
  const best = points.reduce((top, point) =>
    point.quality > top.quality || (point.quality === top.quality && point.costPer1000Usd < top.costPer1000Usd)
      ? point
      : top,
  );
  const cheapest = points.reduce((low, point) =>
    point.costPer1000Usd < low.costPer1000Usd ||
    (point.costPer1000Usd === low.costPer1000Usd && point.quality > low.quality)
      ? point
      : low,
  );
  return { best, cheapest };
}

/** Evaluates a router's predictions (per prompt, per model in `set.models` order) on a multi-model set. */
export function evaluateMultiModel(
  set: MultiModelSet,
  predictions: readonly ArrayLike<number>[],
  lambdas?: readonly number[],
): MultiModelEvaluation {
  const models = singleModelPoints(set);
  const { best, cheapest } = bestAndCheapest(models);
  const curve = routerCurve(set, predictions, lambdas);
  const hull = nonDecreasingConvexHull(curve);
  const singleModelHull = nonDecreasingConvexHull(models);
  const dearest = Math.max(...models.map((point) => point.costPer1000Usd));
  const range = [cheapest.costPer1000Usd, dearest] as const;
  const spread = range[1] > range[0];
  const costAtBestQuality = hullCostToReach(hull, best.quality);
  return {
    models,
    singleModelHull,
    bestModel: best,
    cheapestModel: cheapest,
    oracle: routedPoint(set, oracleChoices(set)),
    curve,
    hull,
    aiq: spread ? aiq(hull, range) : hull[hull.length - 1]!.quality,
    singleModelAiq: spread ? aiq(singleModelHull, range) : best.quality,
    costAtBestQuality,
    savedAtBestQuality:
      costAtBestQuality === undefined || best.costPer1000Usd === 0
        ? undefined
        : 1 - costAtBestQuality / best.costPer1000Usd,
    qualityAtCheapestCost: hullQualityAt(hull, cheapest.costPer1000Usd),
    maxQuality: Math.max(...curve.map((point) => point.quality)),
  };
}
