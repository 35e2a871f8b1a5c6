import type { ModelTier } from '../sdk/index.ts';

/** US dollars per 1M input and output tokens, as the relay lists them (`GET /v1/models`, field `pricing`). */
export interface ModelPrice {
  input: number;
  output: number;
}

/** One answered prompt, as the meter counts it. */
export interface MeteredCall {
  tier: ModelTier;
  inputTokens: number;
  outputTokens: number;
  /** Token counts came from the provider's usage report, not an estimate from text length. */
  measured: boolean;
}

export interface CostSummary {
  calls: number;
  strongCalls: number;
  /** Share of calls that went to the strong model (0-1); 0 before any call. */
  strongShare: number;
  /** Estimated spend of the routed calls, or undefined when the relay lists no prices for the tiers used. */
  spend: number | undefined;
  /** What the same tokens would have cost with every call on the strong model. */
  alwaysStrongSpend: number | undefined;
  /** Every token count was reported by a provider. */
  measured: boolean;
}

/** Characters per token in English text, for answers whose provider reported no usage (a rough, stated estimate). */
const CHARS_PER_TOKEN = 4;

export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / CHARS_PER_TOKEN));
}

/**
 * The running cost of a routed conversation against sending everything to the strong model. The same token
 * counts are priced at both tiers: the weak model's answer would have had a different length, which no meter can
 * know, so the comparison is an estimate and says so.
 */
export function summarizeCost(
  calls: readonly MeteredCall[],
  prices: Partial<Record<ModelTier, ModelPrice>>,
): CostSummary {
  const strongCalls = calls.filter((call) => call.tier === 'strong').length;
  const priceOf = (tier: ModelTier, call: MeteredCall) => {
    const price = prices[tier];
    return price ? (call.inputTokens * price.input + call.outputTokens * price.output) / 1_000_000 : undefined;
  };
  let spend: number | undefined = 0;
  let alwaysStrongSpend: number | undefined = 0;
  for (const call of calls) {
    const routed = priceOf(call.tier, call);
    const strong = priceOf('strong', call);
    spend = spend === undefined || routed === undefined ? undefined : spend + routed;
    alwaysStrongSpend =
      alwaysStrongSpend === undefined || strong === undefined ? undefined : alwaysStrongSpend + strong;
  }
  return {
    calls: calls.length,
    strongCalls,
    strongShare: calls.length === 0 ? 0 : strongCalls / calls.length,
    spend,
    alwaysStrongSpend,
    measured: calls.every((call) => call.measured),
  };
}

/** Dollars with enough digits to tell tiny amounts apart: $0.00042, $0.013, $1.20. */
export function formatDollars(amount: number): string {
  if (amount === 0) return '$0';
  // Two significant digits below a dollar, cents above.
  const decimals = Math.min(8, Math.max(2, 1 - Math.floor(Math.log10(amount))));
  return `$${amount.toFixed(decimals)}`;
}

/** A model of the N-model mode with its list prices (USD per 1M tokens), as the page gave them. */
export interface PricedChatModel {
  name: string;
  inputPrice: number;
  outputPrice: number;
}

/** One answered prompt of the N-model mode: the model that answered and every model's predicted quality for it. */
export interface ModelMeteredCall {
  model: string;
  inputTokens: number;
  outputTokens: number;
  measured: boolean;
  /** Each model's predicted quality (0..1) for this prompt, by model name. */
  qualities: Readonly<Record<string, number>>;
}

export interface ModelCostSummary {
  calls: number;
  /** How many calls each model answered, in the page's model order (models with none included). */
  callsByModel: readonly { model: string; calls: number }[];
  spend: number;
  /**
   * The model with the highest mean predicted quality over the prompts so far (ties: the pricier one, then the first
   * listed): what a site that always called "the best model" would call. Undefined before any call.
   */
  bestModel: string | undefined;
  /** What the same tokens would have cost with every call on `bestModel`. */
  alwaysBestSpend: number;
  /** The model with the highest list price (input + output per 1M tokens; ties: the first listed). */
  priciestModel: string | undefined;
  /** What the same tokens would have cost with every call on `priciestModel`. */
  alwaysPriciestSpend: number;
  measured: boolean;
}

const priceOfCall = (model: PricedChatModel, call: { inputTokens: number; outputTokens: number }) =>
  (call.inputTokens * model.inputPrice + call.outputTokens * model.outputPrice) / 1_000_000;

/**
 * The running cost of an N-model conversation against always calling one model: the model predicted best on
 * average (mean predicted quality over the prompts sent), and the priciest one. As in summarizeCost, the same token counts are priced on both sides, so
 * the comparison is an estimate.
 */
export function summarizeModelCost(
  calls: readonly ModelMeteredCall[],
  models: readonly PricedChatModel[],
): ModelCostSummary {
  const byName = new Map(models.map((model) => [model.name, model]));
  const meanQuality = (model: PricedChatModel) =>
    calls.reduce((sum, call) => sum + (call.qualities[model.name] ?? 0), 0) / Math.max(1, calls.length);
  const unitPrice = (model: PricedChatModel) => model.inputPrice + model.outputPrice;
  let best: PricedChatModel | undefined;
  if (calls.length > 0) {
    for (const model of models) {
      if (
        !best ||
        meanQuality(model) > meanQuality(best) ||
        (meanQuality(model) === meanQuality(best) && unitPrice(model) > unitPrice(best))
      )
        best = model;
    }
  }
  const priciest = models.reduce<PricedChatModel | undefined>(
    (top, model) => (!top || unitPrice(model) > unitPrice(top) ? model : top),
    undefined,
  );
  let spend = 0;
  let alwaysBestSpend = 0;
  let alwaysPriciestSpend = 0;
  for (const call of calls) {
    const answered = byName.get(call.model);
    if (answered) spend += priceOfCall(answered, call);
    if (best) alwaysBestSpend += priceOfCall(best, call);
    if (priciest) alwaysPriciestSpend += priceOfCall(priciest, call);
  }
  return {
    calls: calls.length,
    callsByModel: models.map((model) => ({
      model: model.name,
      calls: calls.filter((call) => call.model === model.name).length,
    })),
    spend,
    bestModel: best?.name,
    alwaysBestSpend,
    priciestModel: priciest?.name,
    alwaysPriciestSpend,
    measured: calls.every((call) => call.measured),
  };
}
