import type { ScoreOptions } from './router.ts';

/**
 * What a many-model router predicts (the contract N-model routing selects on): for each prompt, every known model's
 * probability of answering it well. The two-model `Router` score is one use of it (the strong model's gain over the
 * weak one); choosing among N priced models is another.
 */
export interface ModelQualityPredictor {
  /** Registry name of the router that predicts. */
  readonly name: string;
  /** Models it predicts for, by canonical name; each prediction lists them in this order. */
  readonly models: readonly string[];
  /** P(model answers well) for each prompt (outer, input order) and model (inner, `models` order), in [0, 1]. */
  predictQuality(prompts: readonly string[], options?: ScoreOptions): Promise<Float64Array[]>;
}
