import { GraphBuilder, tensorValueInfo } from './graph-builder.ts';
import { type ModelProto, OnnxDataType } from './onnx-proto.ts';
import { quantizePerChannel } from './quantize.ts';
import { type HostTensor, asFloat32, float32, int64, int8, reshape } from './tensor.ts';
import { ModelLoadError } from '../../core/index.ts';

/**
 * Universal Sentence Encoder lite as a dense ONNX graph, node for node as ../shared/reference/use-lite/build_use_onnx.py
 * (the specification). Inputs `input_ids`, `attention_mask` int64 [batch, seq], id 0 (unk/pad) masked; outputs
 * `sentence_embedding` [batch, 512] (tanh head, L2-normalised, as the TF.js model) and `last_hidden_state`, that vector
 * repeated over positions, so transformers.js mean or cls pooling returns it unchanged.
 *
 * Variants, named after the transformers.js dtype that loads them:
 * - `fp32`: float32 weights (onnx/model.onnx).
 * - `q8`:   int8 per-channel weights through DequantizeLinear, float32 compute (onnx/model_quantized.onnx).
 * - `int8`: dynamic quantisation as onnxruntime's quantize_dynamic, uint8 activations times uint8 weights with zero point 128
 *           in MatMulInteger, for the attention and FFN projections (onnx/model_int8.onnx).
 */
export type UseLiteVariant = 'fp32' | 'q8' | 'int8';

/** The TF.js model clips inputs to this many tokens (ClipToMaxLength). */
export const USE_LITE_MAX_TOKENS = 128;
export const USE_LITE_DIMENSIONS = 512;

/** Matrices smaller than this stay float32 in quantised variants: their int8 saving is not worth the error. */
const MIN_QUANTIZED_SIZE = 4096;

// Weight-name prefixes of the TF.js graph (after the common prefix is stripped on load).
const STACK = 'Encode/TransformerStack/';
const ENCODE = 'Encode/';
const MODULE = 'module/Encoder_en/KonaTransformer/Encode/';

export function buildUseLiteGraph(weights: ReadonlyMap<string, HostTensor>, variant: UseLiteVariant): ModelProto {
  const graph = new GraphBuilder();
  const quantized = variant !== 'fp32';

  const weight = (name: string) => {
    const tensor = weights.get(name);
    if (!tensor) throw new ModelLoadError(`TF.js weight ${name} is missing`);
    return asFloat32(tensor);
  };
  // The attention kernels are stored as 1x1 convolutions [1, 1, in, out].
  const convKernel = (name: string) => {
    const tensor = weight(name);
    return reshape(tensor, tensor.shape.slice(2));
  };
  const scalarFloat = (value: number) => graph.constant(float32([value], []));
  const scalarInt = (value: number) => graph.constant(int64([value], []));

  /** A matrix operand: float32, or int8 with a per-channel scale dequantised in the graph. */
  const matrix = (tensor: HostTensor & { dtype: 'float32' }, axis: 0 | 1): string => {
    if (!quantized || tensor.data.length < MIN_QUANTIZED_SIZE) return graph.constant(tensor);
    const { values, scales } = quantizePerChannel(tensor.data, tensor.shape, axis);
    const output = graph.name('w');
    graph.node(
      'DequantizeLinear',
      [
        graph.constant(int8(values, tensor.shape)),
        graph.constant(float32(scales, [scales.length])),
        graph.constant(int8(new Int8Array(scales.length), [scales.length])),
      ],
      [output],
      { axis },
    );
    return output;
  };

  /** x @ W + b; `dynamicQuantization` lets the int8 variant use MatMulInteger here. */
  const dense = (
    x: string,
    kernel: HostTensor & { dtype: 'float32' },
    bias: HostTensor,
    dynamicQuantization = true,
  ): string => {
    const biasName = graph.constant(asFloat32(bias));
    if (variant === 'fp32') return graph.op('Add', [graph.op('MatMul', [x, graph.constant(kernel)]), biasName]);
    if (variant === 'q8' || !dynamicQuantization)
      return graph.op('Add', [graph.op('MatMul', [x, matrix(kernel, 1)]), biasName]);
    const { values, scales } = quantizePerChannel(kernel.data, kernel.shape, 1);
    const [xq, xScale, xZeroPoint] = [graph.name('xq'), graph.name('xs'), graph.name('xz')];
    graph.node('DynamicQuantizeLinear', [x], [xq, xScale, xZeroPoint]);
    // uint8 weights with zero point 128 (u8u8): avoids the u8s8 saturation of x86 AVX2 kernels.
    const unsigned = Uint8Array.from(values, (value) => value + 128);
    const accumulator = graph.op(
      'Cast',
      [
        graph.op('MatMulInteger', [
          xq,
          graph.constant({ dtype: 'uint8', shape: kernel.shape, data: unsigned }),
          xZeroPoint,
          graph.constant({ dtype: 'uint8', shape: [], data: Uint8Array.of(128) }),
        ]),
      ],
      { to: OnnxDataType.FLOAT },
    );
    return graph.op('Add', [
      graph.op('Mul', [accumulator, graph.op('Mul', [xScale, graph.constant(float32(scales, [scales.length]))])]),
      biasName,
    ]);
  };

  const lastAxis = graph.constant(int64([-1]));

  const layerNorm = (x: string, layer: number, part: string): string => {
    const prefix = `${ENCODE}Layer_${layer}/TransformerLayer/${part}layer_prepostprocess/layer_norm/`;
    const scale = graph.constant(weight(`${prefix}layer_norm_scale/ConcatPartitions/concat`));
    const shift = graph.constant(weight(`${prefix}layer_norm_bias/ConcatPartitions/concat`));
    const mean = graph.op('ReduceMean', [x], { axes: [-1], keepdims: 1 });
    const centred = graph.op('Sub', [x, mean]);
    const variance = graph.op('ReduceMean', [graph.op('Mul', [centred, centred])], { axes: [-1], keepdims: 1 });
    const inverseStd = graph.op('Reciprocal', [graph.op('Sqrt', [graph.op('Add', [variance, scalarFloat(1e-6)])])]);
    return graph.op('Add', [graph.op('Mul', [graph.op('Mul', [centred, inverseStd]), scale]), shift]);
  };

  const attention = (x: string, layer: number, attentionBias: string, dimensions: number, heads = 4): string => {
    const headSize = dimensions / heads;
    const layerPrefix = `Layer_${layer}/TransformerLayer/MultiheadAttention/`;
    const qkv = dense(
      x,
      convKernel(`${MODULE}${layerPrefix}qkv_transform_single/kernel/part_0`),
      weight(`${ENCODE}${layerPrefix}qkv_transform_single/bias/ConcatPartitions/concat`),
    );
    const [queries, keys, values] = [graph.name('q'), graph.name('k'), graph.name('v')];
    graph.node('Split', [qkv, graph.constant(int64([dimensions, dimensions, dimensions]))], [queries, keys, values], {
      axis: -1,
    });
    const headShape = graph.constant(int64([0, 0, heads, headSize]));
    const splitHeads = (t: string) =>
      graph.op('Transpose', [graph.op('Reshape', [t, headShape])], { perm: [0, 2, 1, 3] });
    const q = graph.op('Mul', [splitHeads(queries), graph.constant(weight(`${STACK}${layerPrefix}mul/y`))]);
    const k = graph.op('Transpose', [graph.op('Reshape', [keys, headShape])], { perm: [0, 2, 3, 1] });
    const v = splitHeads(values);
    const probabilities = graph.op('Softmax', [graph.op('Add', [graph.op('MatMul', [q, k]), attentionBias])], {
      axis: -1,
    });
    const combined = graph.op('Reshape', [
      graph.op('Transpose', [graph.op('MatMul', [probabilities, v])], { perm: [0, 2, 1, 3] }),
      graph.constant(int64([0, 0, dimensions])),
    ]);
    return dense(
      combined,
      convKernel(`${MODULE}${layerPrefix}output_transform_single/kernel/part_0`),
      weight(`${ENCODE}${layerPrefix}output_transform_single/bias/ConcatPartitions/concat`),
    );
  };

  const feedForward = (x: string, layer: number, mask3: string): string => {
    const normalised = layerNorm(x, layer, 'FFN/');
    const hidden = graph.op('Relu', [
      dense(
        normalised,
        weight(`${STACK}Layer_${layer}/TransformerLayer/FFN/conv1/Tensordot/Reshape_1`),
        weight(`${ENCODE}Layer_${layer}/TransformerLayer/FFN/conv1/bias/ConcatPartitions/concat`),
      ),
    ]);
    const output = dense(
      hidden,
      weight(`${STACK}Layer_${layer}/TransformerLayer/FFN/conv2/Tensordot/Reshape_1`),
      weight(`${ENCODE}Layer_${layer}/TransformerLayer/FFN/conv2/bias/ConcatPartitions/concat`),
    );
    return graph.op('Mul', [output, mask3]);
  };

  // Clip to 128 positions like the TF.js graph (ClipToMaxLength).
  const [start, end, axisOne] = [
    graph.constant(int64([0])),
    graph.constant(int64([USE_LITE_MAX_TOKENS])),
    graph.constant(int64([1])),
  ];
  const ids = graph.op('Slice', ['input_ids', start, end, axisOne]);
  const attentionMask = graph.op('Slice', ['attention_mask', start, end, axisOne]);
  // Id 0 is SentencePiece's unknown piece and the padding id: both are masked out.
  const mask = graph.op('Mul', [
    graph.op('Cast', [graph.op('Greater', [ids, scalarInt(0)])], { to: OnnxDataType.FLOAT }),
    graph.op('Cast', [attentionMask], { to: OnnxDataType.FLOAT }),
  ]); // [B, T]
  const mask3 = graph.op('Unsqueeze', [mask, lastAxis]); // [B, T, 1]

  const table = weight('module/Embeddings_en');
  let rows: string;
  if (quantized) {
    // int8 rows with a per-row scale, dequantised after the lookup.
    const { values, scales } = quantizePerChannel(table.data, table.shape, 0);
    rows = graph.op('Mul', [
      graph.op('Cast', [graph.op('Gather', [graph.constant(int8(values, table.shape)), ids], { axis: 0 })], {
        to: OnnxDataType.FLOAT,
      }),
      graph.op('Unsqueeze', [
        graph.op('Gather', [graph.constant(float32(scales, [scales.length])), ids], { axis: 0 }),
        lastAxis,
      ]),
    ]);
  } else {
    rows = graph.op('Gather', [graph.constant(table), ids], { axis: 0 });
  }
  const embedded = graph.op('Mul', [rows, mask3]);

  // Timing signal: position * inverse timescales -> [sin, cos].
  const length = graph.op('Gather', [graph.op('Shape', [ids]), scalarInt(1)], { axis: 0 });
  const positions = graph.op('Cast', [graph.op('Range', [scalarInt(0), length, scalarInt(1)])], {
    to: OnnxDataType.FLOAT,
  });
  const angles = graph.op('Mul', [
    graph.op('Unsqueeze', [positions, lastAxis]),
    graph.constant(weight(`${STACK}Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`)),
  ]); // [T, 128]
  const timing = graph.op('Concat', [graph.op('Sin', [angles]), graph.op('Cos', [angles])], { axis: -1 }); // [T, 256]
  // As in the TF.js graph: the masked (embedding + timing) is added to the embedding.
  let x = graph.op('Add', [embedded, graph.op('Mul', [graph.op('Add', [embedded, timing]), mask3])]);
  const attentionBias = graph.op('Unsqueeze', [
    graph.op('Mul', [graph.op('Sub', [scalarFloat(1), mask]), scalarFloat(-1e9)]),
    graph.constant(int64([1, 2])),
  ]);

  const attended = attention(layerNorm(x, 0, ''), 0, attentionBias, 256);
  // Layer 0 widens 256 -> 512, so its residual goes through a projection.
  const residual = graph.op('Mul', [
    dense(
      x,
      weight(`${ENCODE}Layer_0/TransformerLayer/dense/kernel/ConcatPartitions/concat`),
      weight(`${ENCODE}Layer_0/TransformerLayer/dense/bias/ConcatPartitions/concat`),
      false,
    ),
    mask3,
  ]);
  x = graph.op('Add', [attended, residual]);
  x = graph.op('Add', [x, feedForward(x, 0, mask3)]);
  x = graph.op('Add', [x, attention(layerNorm(x, 1, ''), 1, attentionBias, 512)]);
  x = graph.op('Add', [x, feedForward(x, 1, mask3)]);

  // Mean over the first L positions, L = number of non-zero ids (SequenceMask in the TF.js graph).
  const tokenCount = graph.op('ReduceSum', [mask, axisOne], { keepdims: 1 }); // [B, 1]
  const sequenceMask = graph.op(
    'Cast',
    [graph.op('Less', [graph.op('Unsqueeze', [positions, graph.constant(int64([0]))]), tokenCount])],
    { to: OnnxDataType.FLOAT },
  );
  const pooled = graph.op('Div', [
    graph.op('ReduceSum', [graph.op('Mul', [x, graph.op('Unsqueeze', [sequenceMask, lastAxis])]), axisOne], {
      keepdims: 0,
    }),
    graph.op('Max', [tokenCount, scalarFloat(1)]),
  ]);
  const head = graph.op('Tanh', [
    dense(
      pooled,
      weight('module/Encoder_en/hidden_layers/tanh_layer_0/weights'),
      weight('module/Encoder_en/hidden_layers/tanh_layer_0/bias'),
      false,
    ),
  ]);
  const norm = graph.op('Sqrt', [
    graph.op('Max', [
      graph.op('ReduceSum', [graph.op('Mul', [head, head]), lastAxis], { keepdims: 1 }),
      scalarFloat(1e-12),
    ]),
  ]);
  graph.node('Div', [head, norm], ['sentence_embedding']);
  const fullShape = graph.op(
    'Concat',
    [graph.op('Shape', ['input_ids']), graph.constant(int64([USE_LITE_DIMENSIONS]))],
    { axis: 0 },
  );
  graph.node('Expand', [graph.op('Unsqueeze', ['sentence_embedding', axisOne]), fullShape], ['last_hidden_state']);

  return graph.toModel({
    graphName: 'use_lite',
    producer: 'routellm-web build-encoder',
    opset: 13,
    irVersion: 8,
    inputs: [
      tensorValueInfo('input_ids', OnnxDataType.INT64, ['batch_size', 'sequence_length']),
      tensorValueInfo('attention_mask', OnnxDataType.INT64, ['batch_size', 'sequence_length']),
    ],
    outputs: [
      tensorValueInfo('last_hidden_state', OnnxDataType.FLOAT, ['batch_size', 'sequence_length', USE_LITE_DIMENSIONS]),
      tensorValueInfo('sentence_embedding', OnnxDataType.FLOAT, ['batch_size', USE_LITE_DIMENSIONS]),
    ],
  });
}
