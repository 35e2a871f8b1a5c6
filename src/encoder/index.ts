/**
 * The sentence encoder: text in, embeddings out, over transformers.js. The same module runs in Node (CLI, tests;
 * onnxruntime-node) and in the browser's Web Worker (onnxruntime-web, WASM or WebGPU).
 */
export { createEncoder } from './create-encoder.ts';
export type { EncodedText, Encoder, EncoderDevice } from './encoder.ts';
export { computeEncoderId } from './encoder-id.ts';
export { DEFAULT_MODEL } from './options.ts';
export type { EncoderDtype, EncoderOptions, OverflowStrategy, PoolingStrategy } from './options.ts';
export type { EncoderProgressEvent } from './progress.ts';
export { DTYPE_FILE_SUFFIX } from './options.ts';
export { createCausalLmScorer, type CausalLmScorerOptions, type LoadedLabelScorer } from './causal-lm-scorer.ts';
export { CLASSIFIER_MODEL, createTextClassifier, type LoadedTextClassifier } from './text-classifier.ts';
export { readModelFile, resolveModelLocation } from './model-location.ts';
export { withLoadSettings } from './transformers-env.ts';
