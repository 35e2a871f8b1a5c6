import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AutoTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, errorMessage, InvalidInputError, ModelLoadError } from '../../src/core/errors.ts';
import { type Encoder, type EncoderProgressEvent, createEncoder } from '../../src/encoder/index.ts';
import { cosineSimilarity } from '../../src/encoder/pooling.ts';
import {
  PROJECT_ROOT,
  ensureUseLiteBuilt,
  readReferenceVectors,
  sentencesWithDefinedEmbeddings,
} from './use-lite-fixture.ts';

const reference = readReferenceVectors();
const comparable = sentencesWithDefinedEmbeddings(reference);
const MODEL_DIR = join(PROJECT_ROOT, 'public/models/universal-sentence-encoder-lite');

/** A prompt far beyond USE-lite's 128 tokens. */
const LONG_PROMPT = Array.from(
  { length: 60 },
  (_, i) => `Question ${i}: what is the capital of country number ${i}?`,
).join(' ');

beforeAll(() => ensureUseLiteBuilt());

describe('USE-lite tokenizer', () => {
  it('reproduces the TF.js token ids of every reference sentence', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(MODEL_DIR);
    for (const [index, sentence] of reference.sentences.entries()) {
      expect(tokenizer.encode(sentence), sentence).toEqual(reference.ids[index]);
    }
  });
});

describe.each([
  ['fp32', 0.9999],
  ['q8', 0.999],
  ['int8', 0.999],
] as const)('USE-lite %s', (dtype, minCosine) => {
  let encoder: Encoder;
  beforeAll(async () => {
    encoder = await createEncoder({ dtype });
  });
  afterAll(() => encoder.dispose());

  it(`matches the TF.js embeddings with cosine >= ${minCosine}`, async () => {
    expect(comparable).toHaveLength(reference.sentences.length - 1);
    const encoded = await encoder.encode(comparable.map((index) => reference.sentences[index]!));
    encoded.forEach((result, position) => {
      const index = comparable[position]!;
      expect(result.embedding).toHaveLength(512);
      expect(
        cosineSimilarity(result.embedding, Float32Array.from(reference.emb[index]!)),
        reference.sentences[index],
      ).toBeGreaterThanOrEqual(minCosine);
      expect(result.tokens).toBe(reference.ids[index]!.length);
      expect(result.truncated).toBe(false);
    });
  });

  it('has an id made of the model name, the dtype and the ONNX file hash', () => {
    const file = { fp32: 'model.onnx', q8: 'model_quantized.onnx', int8: 'model_int8.onnx' }[dtype];
    const sha256 = createHash('sha256')
      .update(readFileSync(join(MODEL_DIR, 'onnx', file)))
      .digest('hex');
    expect(encoder.id).toBe(`universal-sentence-encoder-lite@${dtype}-${sha256.slice(0, 8)}`);
  });
});

describe('createEncoder defaults (USE-lite int8 on onnxruntime-node)', () => {
  let encoder: Encoder;
  const events: EncoderProgressEvent[] = [];
  beforeAll(async () => {
    encoder = await createEncoder({ onProgress: (event) => events.push(event) });
  });
  afterAll(() => encoder.dispose());

  it('describes itself', () => {
    expect(encoder.model).toBe('universal-sentence-encoder-lite');
    expect(encoder.dtype).toBe('int8');
    expect(encoder.dimensions).toBe(512);
    expect(encoder.maxTokens).toBe(128);
    expect(encoder.device).toBe('cpu');
    expect(encoder.deviceReason).toMatch(/onnxruntime-node/);
    expect(encoder.id).toMatch(/^universal-sentence-encoder-lite@int8-[0-9a-f]{8}$/);
  });

  it('reports loading progress per file, ending with ready', () => {
    const files = new Set(events.map((event) => event.file));
    for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_int8.onnx'])
      expect(files).toContain(file);
    const size = readFileSync(join(MODEL_DIR, 'onnx/model_int8.onnx')).byteLength;
    const modelEvents = events.filter((event) => event.file === 'onnx/model_int8.onnx');
    expect(modelEvents[0]!.status).toBe('initiate');
    expect(modelEvents.at(-1)).toEqual({ status: 'done', file: 'onnx/model_int8.onnx', loaded: size, total: size });
    expect(events.at(-1)!.status).toBe('ready');
  });

  it('returns unit vectors in input order from embed', async () => {
    const texts = [reference.sentences[0]!, reference.sentences[2]!];
    const [first, second] = await encoder.embed(texts);
    const [alone] = await encoder.embed([texts[1]!]);
    expect(Math.hypot(...first!)).toBeCloseTo(1, 5);
    expect(second).toEqual(alone);
  });

  it('gives an embedding independent of the other texts in the call', async () => {
    const [alone] = await encoder.embed([reference.sentences[4]!]);
    const [, together] = await encoder.embed([LONG_PROMPT, reference.sentences[4]!, reference.sentences[3]!]);
    expect(together).toEqual(alone);
  });

  it('truncates a long prompt to the first 128 tokens and says so', async () => {
    const [long] = await encoder.encode([LONG_PROMPT]);
    expect(long!.tokens).toBeGreaterThan(128);
    expect(long!.truncated).toBe(true);
    expect(long!.chunks).toBe(1);
    // The first 128 tokens encode to the same vector: decode them back to text to check.
    const tokenizer = await AutoTokenizer.from_pretrained(MODEL_DIR);
    const firstWindow = tokenizer.decode(tokenizer.encode(LONG_PROMPT).slice(0, 128));
    const [head] = await encoder.encode([firstWindow]);
    expect(head!.tokens).toBe(128);
    expect(head!.truncated).toBe(false);
    expect(cosineSimilarity(head!.embedding, long!.embedding)).toBeGreaterThan(0.9999);
  });

  it('rejects empty and non-string texts with InvalidInputError', async () => {
    await expect(encoder.encode([''])).rejects.toThrow(InvalidInputError);
    await expect(encoder.encode(['ok', '   '])).rejects.toThrow(/texts\[1\] is empty/);
    await expect(encoder.encode([42 as unknown as string])).rejects.toThrow(/texts\[0\] must be a string, got number/);
    await expect(encoder.embed('not an array' as unknown as string[])).rejects.toThrow(InvalidInputError);
    await expect(encoder.encode([])).resolves.toEqual([]);
  });

  it('rejects with AbortError when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(encoder.embed(['hello'], { signal: controller.signal })).rejects.toThrow(AbortError);
  });
});

describe('chunk pooling', () => {
  it('averages the embeddings of consecutive 128-token windows and renormalises', async () => {
    const chunked = await createEncoder({ dtype: 'fp32', overflow: 'chunk' });
    const truncating = await createEncoder({ dtype: 'fp32' });
    try {
      const tokenizer = await AutoTokenizer.from_pretrained(MODEL_DIR);
      const ids = tokenizer.encode(LONG_PROMPT);
      const windows = [];
      for (let start = 0; start < ids.length; start += 128)
        windows.push(tokenizer.decode(ids.slice(start, start + 128)));

      const [pooled] = await chunked.encode([LONG_PROMPT]);
      expect(pooled!.chunks).toBe(windows.length);
      expect(pooled!.truncated).toBe(false);
      expect(pooled!.tokens).toBe(ids.length);

      const parts = await truncating.embed(windows);
      const mean = parts[0]!.map((_, dim) => parts.reduce((sum, part) => sum + part[dim]!, 0) / parts.length);
      const norm = Math.hypot(...mean);
      expect(cosineSimilarity(pooled!.embedding, mean)).toBeGreaterThan(0.99999);
      expect(Math.hypot(...pooled!.embedding)).toBeCloseTo(1, 5);
      expect(norm).toBeLessThan(0.999);
      // A short text is one window either way.
      const [short] = await chunked.encode([reference.sentences[0]!]);
      expect(short!.chunks).toBe(1);
    } finally {
      await chunked.dispose();
      await truncating.dispose();
    }
  });
});

describe('batching', () => {
  it.each(['fp32', 'q8'] as const)('%s: batches of padded windows equal one-by-one encoding', async (dtype) => {
    const batched = await createEncoder({ dtype, batchSize: 8 });
    const single = await createEncoder({ dtype });
    try {
      const texts = [...reference.sentences, LONG_PROMPT, 'hello'];
      const together = await batched.embed(texts);
      const oneByOne = await single.embed(texts);
      together.forEach((vector, index) => {
        expect(cosineSimilarity(vector, oneByOne[index]!), texts[index]).toBeGreaterThan(0.999999);
      });
    } finally {
      await batched.dispose();
      await single.dispose();
    }
  });
});

describe('load errors', () => {
  it('rejects a missing model with ModelLoadError model_not_found, without hanging', async () => {
    const error = await createEncoder({ model: 'no-such-encoder' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect(error).toMatchObject({ code: 'model_not_found' });
    expect(errorMessage(error)).toMatch(/no-such-encoder/);
  });

  it('suggests allowRemoteModels for a Hub id while offline', async () => {
    await expect(createEncoder({ model: 'Xenova/bge-small-en-v1.5' })).rejects.toThrow(/allowRemoteModels: true/);
  });

  it('rejects a missing weight variant with model_not_found', async () => {
    await expect(createEncoder({ dtype: 'fp16' })).rejects.toMatchObject({ code: 'model_not_found' });
  });

  it('loads a model given as a folder path, under the same id', async () => {
    const byPath = await createEncoder({ model: MODEL_DIR });
    const byName = await createEncoder();
    try {
      expect(byPath.id).toBe(byName.id);
    } finally {
      await byPath.dispose();
      await byName.dispose();
    }
  });

  it('rejects bad options with InvalidInputError', async () => {
    await expect(createEncoder({ device: 'wasm' })).rejects.toThrow(/WASM is the browser runtime/);
    await expect(createEncoder({ dtype: 'fp64' as 'fp32' })).rejects.toThrow(InvalidInputError);
    await expect(createEncoder({ overflow: 'wrap' as 'chunk' })).rejects.toThrow(InvalidInputError);
    await expect(createEncoder({ batchSize: 0 })).rejects.toThrow(InvalidInputError);
  });

  it('rejects calls after dispose', async () => {
    const encoder = await createEncoder();
    await encoder.dispose();
    await expect(encoder.embed(['hello'])).rejects.toThrow(/disposed/);
  });
});
