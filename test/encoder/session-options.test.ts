import { join } from 'node:path';
import { AutoTokenizer } from '@huggingface/transformers';
import * as ortWeb from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildUseLite } from '../../src/node/onnx/build-use-lite.ts';
import { createEncoder } from '../../src/encoder/index.ts';
import { sessionOptionsFor } from '../../src/encoder/session-options.ts';

const TEXT = 'Solve for x: 3x + 7 = 22, then explain each step to a ten-year-old.';

beforeAll(() => {
  buildUseLite();
});

/** USE-lite q8 on onnxruntime-web's WASM backend with its default options: the browser's numbers. */
async function browserEmbedding(ids: readonly number[]): Promise<Float32Array> {
  const session = await ortWeb.InferenceSession.create(join(buildUseLite().outDir, 'onnx', 'model_quantized.onnx'), {
    executionProviders: ['wasm'],
  });
  try {
    const outputs = await session.run({
      input_ids: new ortWeb.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
      attention_mask: new ortWeb.Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
    });
    const vector = outputs['sentence_embedding']!.data as Float32Array;
    const norm = Math.hypot(...vector);
    return vector.map((value) => value / norm);
  } finally {
    await session.release();
  }
}

describe('sessionOptionsFor', () => {
  it("folds the weight dequantisation of this project's q8 models only", () => {
    expect(sessionOptionsFor('q8', true)).toEqual({ extra: { session: { disable_quant_qdq: '1' } } });
    expect(sessionOptionsFor('q8', false)).toEqual({});
    expect(sessionOptionsFor('int8', true)).toEqual({});
  });

  it('makes q8 USE-lite in Node compute what the browser computes', async () => {
    const encoder = await createEncoder({ dtype: 'q8' });
    try {
      const tokenizer = await AutoTokenizer.from_pretrained(buildUseLite().outDir);
      const [node] = await encoder.embed([TEXT]);
      const browser = await browserEmbedding(tokenizer.encode(TEXT));
      // onnxruntime-node's own int8 kernel (its default for these nodes) differs by about 4e-3 per component.
      node!.forEach((value, index) => expect(value).toBeCloseTo(browser[index]!, 5));
    } finally {
      await encoder.dispose();
    }
  });
});
