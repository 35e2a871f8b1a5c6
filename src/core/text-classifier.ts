import type { ScoreOptions } from './router.ts';

/**
 * What the classifier router needs from a sequence classifier (compare Embedder in router.ts): texts in, one
 * probability per label out. `src/encoder` implements it with a transformers.js `text-classification` pipeline;
 * core only sees this shape.
 */
export interface TextClassifier {
  /** Stable identity of the model (name, dtype and weights hash), for manifests and caches. */
  readonly id: string;
  /** Label names in the model's output order (config.json `id2label`). */
  readonly labels: readonly string[];
  /** For each text, in input order: the probability of each label, in `labels` order. */
  classify(texts: readonly string[], options?: ScoreOptions): Promise<number[][]>;
}
