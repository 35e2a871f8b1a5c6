/**
 * Small stand-ins for the pieces a learned router needs, so the worker's loading and routing paths can be tested
 * in Node without transformers.js: an encoder whose embedding and truncation follow simple rules, a router that
 * needs that encoder and a weights folder (a linear head over the embedding), and a per-model quality router.
 */
import type { RouterDefinition } from '../../src/core/registry.ts';
import type { Encoder } from '../../src/encoder/index.ts';
import { describeWeightFiles, type WeightsFileReader } from '../../src/core/weights/router-weights.ts';

/** Texts longer than this many characters count as truncated. */
export const FAKE_ENCODER_WINDOW = 40;

/** 2-d "embeddings": [share of digits, length / 100]. */
export function createFakeEncoder(): Encoder & { disposed: boolean; calls: string[][] } {
  const encoder = {
    id: 'fake-encoder@fp32-00000000',
    model: 'fake-encoder',
    dimensions: 2,
    maxTokens: FAKE_ENCODER_WINDOW,
    dtype: 'fp32',
    device: 'wasm' as const,
    deviceReason: 'wasm was requested',
    disposed: false,
    calls: [] as string[][],
    async embed(texts: readonly string[]) {
      return (await encoder.encode(texts)).map((text) => text.embedding);
    },
    async encode(texts: readonly string[]) {
      encoder.calls.push([...texts]);
      return texts.map((text) => ({
        embedding: new Float32Array([(text.match(/\d/g)?.length ?? 0) / text.length, text.length / 100]),
        tokens: text.length,
        truncated: text.length > FAKE_ENCODER_WINDOW,
        chunks: 1,
      }));
    },
    async dispose() {
      encoder.disposed = true;
    },
  };
  return encoder;
}

/**
 * 'length-quality': a per-model quality router in plain JavaScript. 'frontier' answers everything well (0.9); 'small'
 * answers short prompts as well (0.9) and loses 0.1 per 100 characters.
 */
export const lengthQualityRouter: RouterDefinition = {
  name: 'length-quality',
  description: 'Per-model quality from prompt length (test router).',
  requires: [],
  create: () => ({
    name: 'length-quality',
    models: ['frontier', 'small'],
    score: async (prompts) => prompts.map(() => 0.5),
    predictQuality: async (prompts: readonly string[]) =>
      prompts.map((prompt) => Float64Array.from([0.9, Math.max(0, 0.9 - prompt.length / 1000)])),
  }),
};

/**
 * 'linear-head': score = sigmoid(w · embedding + b), with w and b read from `head.json` in its weights folder, and
 * the embedder checked against the one named in the manifest.
 */
export const linearHeadRouter: RouterDefinition = {
  name: 'linear-head',
  description: 'A linear head over the embedding (test router).',
  requires: ['embedder', 'weights'],
  create: ({ embedder, weights }) => {
    const { w, b } = JSON.parse(new TextDecoder().decode(weights!.files.get('head.json'))) as {
      w: number[];
      b: number;
    };
    const trainedOn = (weights!.manifest['encoder'] as { id: string }).id;
    if (trainedOn !== embedder!.id) throw new Error(`weights are for ${trainedOn}, not ${embedder!.id}`);
    return {
      name: 'linear-head',
      score: async (prompts, options) => {
        const vectors = await embedder!.embed(prompts, options);
        return vectors.map(
          (vector) => 1 / (1 + Math.exp(-(vector.reduce((sum, value, index) => sum + value * w[index]!, 0) + b))),
        );
      },
    };
  },
};

/** The weights folder of linear-head, as files by name. */
export function linearHeadFiles(manifestExtras: Record<string, unknown> = {}): Map<string, string> {
  const head = JSON.stringify({ w: [4, 2], b: -1 });
  const files = describeWeightFiles(new Map([['head.json', new TextEncoder().encode(head)]]));
  return new Map([
    [
      'manifest.json',
      JSON.stringify({ encoder: { id: 'fake-encoder@fp32-00000000', overflow: 'truncate' }, files, ...manifestExtras }),
    ],
    ['head.json', head],
  ]);
}

/** A weights reader over in-memory folders keyed by folder URL, recording what was read. */
export function memoryWeights(folders: Record<string, Map<string, string>>): {
  reader: (url: string) => WeightsFileReader;
  reads: string[];
} {
  const reads: string[] = [];
  return {
    reads,
    reader: (url) => async (file, onBytes) => {
      reads.push(`${url}${file}`);
      const text = folders[url]?.get(file);
      if (text === undefined) return undefined;
      const bytes = new TextEncoder().encode(text);
      onBytes(bytes.byteLength, bytes.byteLength);
      return bytes;
    },
  };
}
