import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { computeEncoderId } from '../../src/encoder/encoder-id.ts';

describe('computeEncoderId', () => {
  it('is the model, the dtype and the first 8 hex digits of the SHA-256 of the ONNX file', async () => {
    const bytes = new TextEncoder().encode('onnx bytes');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(await computeEncoderId('universal-sentence-encoder-lite', 'int8', bytes)).toBe(
      `universal-sentence-encoder-lite@int8-${sha256.slice(0, 8)}`,
    );
  });

  it('changes with the weights', async () => {
    const a = await computeEncoderId('m', 'q8', Uint8Array.of(1));
    const b = await computeEncoderId('m', 'q8', Uint8Array.of(2));
    expect(a).not.toBe(b);
  });
});
