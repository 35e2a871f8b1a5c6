import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Embedder, ScoreOptions } from '../core/index.ts';
import { createEncoder, type Encoder } from '../encoder/index.ts';
import { createCachedEmbedder, type CachedEmbedder } from './embedding-cache.ts';
import { buildUseLite, DEFAULT_OUTPUT_DIR } from './onnx/build-use-lite.ts';
import { DEFAULT_EMBEDDING_CACHE_DIR } from './paths.ts';

/**
 * How the learned routers embed prompts: the offline default encoder with long prompts pooled over 128-token
 * windows (a quarter of MMLU is longer than one window), one window per inference call so that an embedding
 * does not depend on its batch neighbours (int8 dynamic quantisation shares a scale across a batch) and the
 * browser computes the same vector. Router manifests record this, and the SDK must embed the same way.
 */
export const ROUTER_ENCODER_OVERFLOW = 'chunk' as const;

/**
 * The embedding cache keys on the encoder id, which does not say how overflow is handled; truncated and
 * chunked vectors of a long prompt differ, so chunked ones live in their own sub-folder.
 */
export const ROUTER_EMBEDDING_CACHE_DIR = path.join(DEFAULT_EMBEDDING_CACHE_DIR, ROUTER_ENCODER_OVERFLOW);

/** Texts per call to the cached embedder: the unit of progress and of each append to the cache file. */
const EMBED_BATCH = 256;

export interface RouterEmbedder extends Embedder {
  /** The encoder underneath (its id, device, dispose). */
  readonly encoder: Encoder;
  readonly cache: CachedEmbedder;
  /** Embeds many texts in batches with progress; duplicates and cached texts cost nothing. */
  embedAll(
    texts: readonly string[],
    onProgress?: (done: number, total: number) => void,
    options?: ScoreOptions,
  ): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

/**
 * Builds the offline encoder (public/models/universal-sentence-encoder-lite, what `npm run build:encoder` writes)
 * when it is missing, so training and evaluation need no separate build step first. Returns whether it built.
 */
export function ensureRouterEncoder(onBuild?: (message: string) => void): boolean {
  if (existsSync(path.join(DEFAULT_OUTPUT_DIR, 'onnx', 'model_int8.onnx'))) return false;
  onBuild?.(
    `Building the offline encoder into ${path.relative(process.cwd(), DEFAULT_OUTPUT_DIR) || '.'} (once; npm run build:encoder does the same).`,
  );
  buildUseLite();
  return true;
}

/** The encoder every learned router is trained and evaluated with, behind the on-disk embedding cache. */
export async function createRouterEmbedder(
  cacheDir: string = ROUTER_EMBEDDING_CACHE_DIR,
  onBuild?: (message: string) => void,
): Promise<RouterEmbedder> {
  ensureRouterEncoder(onBuild);
  const encoder = await createEncoder({ overflow: ROUTER_ENCODER_OVERFLOW });
  const cache = await createCachedEmbedder(encoder, cacheDir);
  return {
    id: encoder.id,
    dimensions: encoder.dimensions,
    encoder,
    cache,
    embed: (texts, options) => cache.embed(texts, options),
    async embedAll(texts, onProgress, options) {
      const vectors: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += EMBED_BATCH) {
        vectors.push(...(await cache.embed(texts.slice(start, start + EMBED_BATCH), options)));
        onProgress?.(vectors.length, texts.length);
      }
      return vectors;
    },
    dispose: () => encoder.dispose(),
  };
}
