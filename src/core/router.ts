/**
 * The one contract every router implements (compare vercel/ai's LanguageModelV2): a router turns prompts into
 * scores, each the strong model's predicted win rate in [0, 1]. A prompt goes to the strong model when
 * score >= threshold. Everything else (thresholds, calibration, fallbacks) wraps a Router instead of living inside one.
 */
export interface Router {
  /** Registry name, as used in model strings (`router-<name>-<threshold>`). */
  readonly name: string;
  /** Scores for each prompt, in input order. Batch-first so evaluation and `routeBatch` share one path. */
  score(prompts: readonly string[], options?: ScoreOptions): Promise<number[]>;
}

export interface ScoreOptions {
  signal?: AbortSignal;
}

/**
 * What embedding-based routers need from a sentence encoder. `src/encoder` implements it; core only sees this
 * shape, so routers stay free of transformers.js, the DOM and Node.
 */
export interface Embedder {
  /** Stable identity of the encoder (model id and weights hash): router weights are only valid for one. */
  readonly id: string;
  readonly dimensions: number;
  embed(texts: readonly string[], options?: ScoreOptions): Promise<Float32Array[]>;
}
