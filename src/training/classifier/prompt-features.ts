/**
 * What the classifier head reads for a prompt, computed as the classifier model computes it: the USE-lite q8
 * embedding (128-token windows pooled, cached on disk) and the token statistics of ./features.ts.
 */
import { AutoTokenizer, type PreTrainedTokenizer } from '@huggingface/transformers';
import {
  createEncoder,
  DEFAULT_MODEL,
  readModelFile,
  resolveModelLocation,
  withLoadSettings,
} from '../../encoder/index.ts';
import {
  createCachedEmbedder,
  type CachedEmbedder,
  CLASSIFIER_MAX_TOKENS,
  ROUTER_EMBEDDING_CACHE_DIR,
  TOKEN_CLASSES,
  promptStatistics,
  tokenClassTable,
  HEAD_ENCODER_DTYPE,
} from '../../node/index.ts';

export interface PromptFeatures {
  readonly embedding: Float32Array;
  readonly statistics: Float64Array;
}

/** Features of prompts, from the real encoder or a test's stand-in. */
export interface PromptFeatureSource {
  /** The id of the encoder behind the embeddings, for the manifest. */
  readonly encoderId: string;
  features(texts: readonly string[], onProgress?: (done: number, total: number) => void): Promise<PromptFeatures[]>;
  dispose(): Promise<void>;
}

/** Texts per call to the cached embedder: the unit of progress and of each append to the cache file. */
const BATCH = 256;

/** Opens the encoder and the tokenizer the classifier model is built from. */
export async function openPromptFeatures(): Promise<PromptFeatureSource> {
  const encoder = await createEncoder({ dtype: HEAD_ENCODER_DTYPE, overflow: 'chunk' });
  const cache: CachedEmbedder = await createCachedEmbedder(encoder, ROUTER_EMBEDDING_CACHE_DIR);
  const location = resolveModelLocation(DEFAULT_MODEL, { allowRemoteModels: false });
  const tokenizer: PreTrainedTokenizer = await withLoadSettings(
    { localModelPath: location.localModelPath, allowRemoteModels: false },
    () => AutoTokenizer.from_pretrained(location.modelId),
  );
  const vocabulary = (
    JSON.parse(new TextDecoder().decode(await readModelFile(location, 'tokenizer.json'))) as {
      model: { vocab: [string, number][] };
    }
  ).model.vocab.map(([piece]) => piece);
  const table = tokenClassTable(vocabulary, TOKEN_CLASSES);
  return {
    encoderId: encoder.id,
    async features(texts, onProgress) {
      const features: PromptFeatures[] = [];
      for (let start = 0; start < texts.length; start += BATCH) {
        const part = texts.slice(start, start + BATCH);
        const embeddings = await cache.embed(part);
        part.forEach((text, index) => {
          // The pipeline's tokenizer truncates at model_max_length; the statistics see what the graph sees.
          const ids = tokenizer.encode(text).slice(0, CLASSIFIER_MAX_TOKENS);
          features.push({
            embedding: embeddings[index]!,
            statistics: promptStatistics(ids, table, TOKEN_CLASSES.length),
          });
        });
        onProgress?.(features.length, texts.length);
      }
      return features;
    },
    dispose: () => encoder.dispose(),
  };
}
