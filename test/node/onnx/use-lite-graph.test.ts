import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeModel, OnnxDataType } from '../../../src/node/onnx/onnx-proto.ts';
import { PROJECT_ROOT, ensureUseLiteBuilt } from '../../encoder/use-lite-fixture.ts';

const ONNX_DIR = join(PROJECT_ROOT, 'public/models/universal-sentence-encoder-lite/onnx');
const read = (file: string) => decodeModel(readFileSync(join(ONNX_DIR, file)));

beforeAll(() => ensureUseLiteBuilt());

describe('USE-lite ONNX graphs', () => {
  it.each(['model.onnx', 'model_quantized.onnx', 'model_int8.onnx'])('%s has the transformers.js interface', (file) => {
    const model = read(file);
    expect(model.ir_version).toBe(8);
    expect(model.opset_import).toEqual([{ domain: '', version: 13 }]);
    expect(model.graph.input.map((input) => input.name)).toEqual(['input_ids', 'attention_mask']);
    expect(model.graph.output.map((output) => output.name)).toEqual(['last_hidden_state', 'sentence_embedding']);
    expect(model.graph.output[1]!.type.tensor_type.shape.dim).toEqual([
      { dim_param: 'batch_size' },
      { dim_value: 512 },
    ]);
  });

  it('keeps fp32 weights float', () => {
    const opTypes = new Set(read('model.onnx').graph.node.map((node) => node.op_type));
    expect(opTypes).not.toContain('DequantizeLinear');
    expect(read('model.onnx').graph.initializer.every((tensor) => tensor.data_type !== OnnxDataType.INT8)).toBe(true);
  });

  it('stores q8 matrices as int8 behind DequantizeLinear, with float32 compute', () => {
    const model = read('model_quantized.onnx');
    const opTypes = model.graph.node.map((node) => node.op_type);
    // Two layers of qkv, output, conv1 and conv2, the layer-0 residual projection and the tanh head.
    expect(opTypes.filter((op) => op === 'DequantizeLinear')).toHaveLength(10);
    expect(opTypes).not.toContain('MatMulInteger');
    const largeFloats = model.graph.initializer.filter(
      (tensor) => tensor.data_type === OnnxDataType.FLOAT && tensor.raw_data.length >= 4096 * 4,
    );
    // Only the per-row embedding scales (8002 floats) stay float32 at this size.
    expect(largeFloats.map((tensor) => tensor.dims)).toEqual([[8002]]);
  });

  it('runs int8 attention and FFN projections through MatMulInteger', () => {
    const opTypes = read('model_int8.onnx').graph.node.map((node) => node.op_type);
    expect(opTypes.filter((op) => op === 'MatMulInteger')).toHaveLength(8);
    expect(opTypes.filter((op) => op === 'DynamicQuantizeLinear')).toHaveLength(8);
    // The residual projection and the tanh head stay on DequantizeLinear, as in the reference.
    expect(opTypes.filter((op) => op === 'DequantizeLinear')).toHaveLength(2);
  });
});
