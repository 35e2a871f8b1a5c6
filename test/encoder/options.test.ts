import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.ts';
import { resolveEncoderOptions } from '../../src/encoder/options.ts';
import { ORT_BUILD_FILES } from '../../src/core/served-files.ts';

describe('resolveEncoderOptions', () => {
  it('defaults to the offline USE-lite, int8, on onnxruntime-node, one window per call', () => {
    const resolved = resolveEncoderOptions();
    expect(resolved).toMatchObject({
      model: 'universal-sentence-encoder-lite',
      device: 'auto',
      dtype: 'int8',
      allowRemoteModels: false,
      overflow: 'truncate',
      pooling: 'auto',
      normalize: true,
      batchSize: 1,
    });
    expect(resolved.location.localModelPath).toMatch(/public\/models\/$/);
  });

  it('defaults Hub models to q8', () => {
    expect(resolveEncoderOptions({ model: 'Xenova/bge-small-en-v1.5' }).dtype).toBe('q8');
  });

  it('never points ORT at a CDN: a prefix becomes explicit same-origin URLs of both builds', () => {
    expect(resolveEncoderOptions().wasmPaths).toEqual({
      wasm: { mjs: `/ort/${ORT_BUILD_FILES.wasm.mjs}`, wasm: `/ort/${ORT_BUILD_FILES.wasm.wasm}` },
      webgpu: { mjs: `/ort/${ORT_BUILD_FILES.webgpu.mjs}`, wasm: `/ort/${ORT_BUILD_FILES.webgpu.wasm}` },
    });
    expect(resolveEncoderOptions({ wasmPaths: '/static/ort' }).wasmPaths.webgpu.wasm).toBe(
      `/static/ort/${ORT_BUILD_FILES.webgpu.wasm}`,
    );
    // Explicit URLs name one build, used on every device.
    const explicit = { mjs: '/a.mjs', wasm: '/a.wasm' };
    expect(resolveEncoderOptions({ wasmPaths: explicit }).wasmPaths).toEqual({ wasm: explicit, webgpu: explicit });
  });

  it.each([
    [{ model: '' }, /options.model/],
    [{ device: 'wasm' as const }, /WASM is the browser runtime/],
    [{ device: 'gpu' as 'cpu' }, /options.device/],
    [{ dtype: 'fp64' as 'fp32' }, /options.dtype/],
    [{ overflow: 'drop' as 'chunk' }, /options.overflow/],
    [{ pooling: 'max' as 'mean' }, /options.pooling/],
    [{ maxTokens: 0 }, /options.maxTokens/],
    [{ maxTokens: 1.5 }, /options.maxTokens/],
    [{ batchSize: -1 }, /options.batchSize/],
    [{ onProgress: 'yes' as unknown as () => void }, /options.onProgress/],
    [{ localModelPath: '' }, /options.localModelPath/],
    [{ wasmPaths: { mjs: '/a.mjs' } as { mjs: string; wasm: string } }, /options.wasmPaths/],
  ])('rejects %o', (options, message) => {
    expect(() => resolveEncoderOptions(options)).toThrow(InvalidInputError);
    expect(() => resolveEncoderOptions(options)).toThrow(message);
  });
});
