import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEncoder } from '../../src/encoder/index.ts';
import { TINY_BERT_MAX_TOKENS, tinyBertIds, tinyBertRow, writeTinyBert } from './tiny-bert-fixture.ts';

/** A BERT-style model (special tokens, token_type_ids, no pooled output) through the same createEncoder as USE-lite. */
let folder: string;
beforeAll(() => {
  folder = writeTinyBert();
});
afterAll(() => rmSync(dirname(folder), { recursive: true, force: true }));

const CLS = 2;
const SEP = 3;

function meanOfRows(ids: number[]): number[] {
  const rows = ids.map(tinyBertRow);
  return rows[0]!.map((_, dim) => rows.reduce((sum, row) => sum + row[dim]!, 0) / rows.length);
}

function unit(vector: ArrayLike<number>): number[] {
  const norm = Math.hypot(...Array.from(vector));
  return Array.from(vector, (value) => value / norm);
}

function expectClose(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  Array.from(actual).forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 5));
}

describe('a BERT-style model in transformers.js layout', () => {
  it('mean-pools token states over [CLS] text [SEP] and normalises', async () => {
    const encoder = await createEncoder({ model: folder, dtype: 'fp32' });
    try {
      expect(encoder.id).toMatch(/^tiny-bert@fp32-[0-9a-f]{8}$/);
      expect(encoder.maxTokens).toBe(TINY_BERT_MAX_TOKENS);
      expect(encoder.dimensions).toBe(4);
      const [encoded] = await encoder.encode(['The cat']);
      expect(encoded!.tokens).toBe(4);
      expectClose(encoded!.embedding, unit(meanOfRows([CLS, ...tinyBertIds('the cat'), SEP])));
    } finally {
      await encoder.dispose();
    }
  });

  it('truncates the content, keeping [CLS] and [SEP] in the window', async () => {
    const encoder = await createEncoder({ model: folder, dtype: 'fp32', normalize: false });
    try {
      const [encoded] = await encoder.encode(['the cat sat on the mat']);
      expect(encoded).toMatchObject({ tokens: 8, truncated: true, chunks: 1 });
      expectClose(encoded!.embedding, meanOfRows([CLS, ...tinyBertIds('the cat sat on'), SEP]));
    } finally {
      await encoder.dispose();
    }
  });

  it('chunks long content into windows that each carry [CLS] and [SEP]', async () => {
    const encoder = await createEncoder({ model: folder, dtype: 'fp32', overflow: 'chunk' });
    try {
      const [encoded] = await encoder.encode(['the cat sat on the mat']);
      expect(encoded).toMatchObject({ tokens: 8, truncated: false, chunks: 2 });
      const first = unit(meanOfRows([CLS, ...tinyBertIds('the cat sat on'), SEP]));
      const second = unit(meanOfRows([CLS, ...tinyBertIds('the mat'), SEP]));
      expectClose(encoded!.embedding, unit(first.map((value, dim) => (value + second[dim]!) / 2)));
    } finally {
      await encoder.dispose();
    }
  });

  it('pools the [CLS] state with pooling: cls', async () => {
    const encoder = await createEncoder({ model: folder, dtype: 'fp32', pooling: 'cls' });
    try {
      const embeddings = await encoder.embed(['the dog', 'cat sat']);
      for (const embedding of embeddings) expectClose(embedding, unit(tinyBertRow(CLS)));
    } finally {
      await encoder.dispose();
    }
  });

  it('pads batches without changing any embedding', async () => {
    const batched = await createEncoder({ model: folder, dtype: 'fp32', batchSize: 4 });
    try {
      const texts = ['the', 'the cat sat on', 'dog', 'mat on the cat'];
      const together = await batched.embed(texts);
      texts.forEach((text, index) => expectClose(together[index]!, unit(meanOfRows([CLS, ...tinyBertIds(text), SEP]))));
    } finally {
      await batched.dispose();
    }
  });

  it('rejects a maxTokens that leaves no room between the special tokens', async () => {
    await expect(createEncoder({ model: folder, dtype: 'fp32', maxTokens: 2 })).rejects.toThrow(/no room/);
  });
});
