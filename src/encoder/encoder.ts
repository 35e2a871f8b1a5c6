import type { Embedder, ScoreOptions } from '../core/index.ts';

/** Where inference runs: onnxruntime-node's CPU provider in Node, WebAssembly or WebGPU in browsers. */
export type EncoderDevice = 'cpu' | 'wasm' | 'webgpu';

/** What `encode` returns for one text. */
export interface EncodedText {
  /** Unit-length embedding (unless the encoder was created with `normalize: false`). */
  embedding: Float32Array;
  /** Tokens in the whole text, special tokens included, before any truncation. */
  tokens: number;
  /** True when tokens beyond the model's limit were dropped (`overflow: 'truncate'`). */
  truncated: boolean;
  /** Model windows the text was encoded in: 1, or more with `overflow: 'chunk'`. */
  chunks: number;
}

/**
 * A loaded sentence encoder. It is core's Embedder (so routers can use it as is) plus what callers need to
 * explain a decision: token counts, truncation, and the device inference actually runs on.
 */
export interface Encoder extends Embedder {
  /** Stable identity for embedding caches and router manifests: `<model>@<dtype>-<sha256 of the ONNX file, 8 hex>`. */
  readonly id: string;
  /** The model as given to createEncoder. */
  readonly model: string;
  readonly dimensions: number;
  /** Token limit of one model window (USE-lite: 128). */
  readonly maxTokens: number;
  readonly dtype: string;
  readonly device: EncoderDevice;
  /** Why this device was chosen, in one sentence (e.g. why WebGPU was rejected). */
  readonly deviceReason: string;
  /** Embeddings only, in input order. */
  embed(texts: readonly string[], options?: ScoreOptions): Promise<Float32Array[]>;
  /** Embeddings with token counts and truncation flags, in input order. */
  encode(texts: readonly string[], options?: ScoreOptions): Promise<EncodedText[]>;
  /** Releases the inference sessions; later calls reject. */
  dispose(): Promise<void>;
}
