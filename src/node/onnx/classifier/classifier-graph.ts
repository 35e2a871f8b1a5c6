import { EMBEDDING_DIMENSIONS, type ClassifierHead, validateHead } from './head.ts';
import { GraphBuilder, tensorValueInfo } from '../graph-builder.ts';
import { type ModelProto, OnnxDataType } from '../onnx-proto.ts';
import { float32, int64 } from '../tensor.ts';
import { USE_LITE_DIMENSIONS, USE_LITE_MAX_TOKENS } from '../use-lite-graph.ts';
import { embedModel, topologicalOrder } from './compose.ts';
import { ModelLoadError } from '../../../core/index.ts';

/** The pipeline's labels, in output order: softmax(logits)[1] is the strong model's win rate. */
export const CLASSIFIER_LABELS = ['weak', 'strong'] as const;

/**
 * routellm-web's classifier as one ONNX graph, inputs `input_ids` and `attention_mask` int64 [batch, tokens], output
 * `logits` [batch, 2] for CLASSIFIER_LABELS, as transformers.js's text-classification pipeline expects:
 * 1. the tokens are cut into windows of at most 128 tokens (USE-lite's limit) and each window runs through the USE-lite graph
 *    (`useLite`, from buildUseLiteGraph); the text's embedding is the renormalised mean of its windows' vectors,
 *    exactly as createEncoder's `overflow: 'chunk'` computes it, so no part of a long prompt is dropped;
 * 2. the prompt statistics of features.ts are summed from a per-piece lookup table
 *    (`tokenClassTable`, [vocabulary, classes]) over the attention mask;
 * 3. the head's MLP gives the log-odds z, and logits = [-z/2, z/2], whose softmax is [1 - sigmoid(z), sigmoid(z)].
 */
export function buildClassifierGraph(
  useLite: ModelProto,
  head: ClassifierHead,
  tokenClassTable: Float32Array,
): ModelProto {
  validateHead(head);
  if (USE_LITE_DIMENSIONS !== EMBEDDING_DIMENSIONS) throw new ModelLoadError('the head expects 512-d embeddings');
  const classes = head.tokenClasses.length;
  if (tokenClassTable.length % Math.max(1, classes) !== 0)
    throw new ModelLoadError('token class table is not [vocabulary, classes]');
  const graph = new GraphBuilder();
  const ints = (values: number[]) => graph.constant(int64(values));
  const scalarInt = (value: number) => graph.constant(int64([value], []));
  const scalarFloat = (value: number) => graph.constant(float32([value], []));
  const asFloat = (value: string) => graph.op('Cast', [value], { to: OnnxDataType.FLOAT });

  // 1. Windows: a text of up to 128 tokens is one window of its own length (USE-lite takes any length, and padding it
  //    to 128 would cost a full window's compute for a short prompt); a longer one is padded to a whole number of
  //    128-token windows. The windows are stacked as rows.
  const shape = graph.op('Shape', ['input_ids']);
  const batch = graph.op('Gather', [shape, scalarInt(0)], { axis: 0 });
  const tokens = graph.op('Gather', [shape, scalarInt(1)], { axis: 0 });
  const windowLength = graph.op('Max', [graph.op('Min', [tokens, scalarInt(USE_LITE_MAX_TOKENS)]), scalarInt(1)]);
  const windowCount = graph.op('Max', [
    graph.op('Div', [graph.op('Sub', [graph.op('Add', [tokens, windowLength]), scalarInt(1)]), windowLength]),
    scalarInt(1),
  ]);
  const padding = graph.op('Sub', [graph.op('Mul', [windowCount, windowLength]), tokens]);
  const pads = graph.op('Concat', [ints([0, 0, 0]), graph.op('Unsqueeze', [padding, ints([0])])], { axis: 0 });
  const rowsOfWindows = graph.op('Concat', [ints([-1]), graph.op('Unsqueeze', [windowLength, ints([0])])], { axis: 0 });
  const windowIds = graph.op('Reshape', [graph.op('Pad', ['input_ids', pads, scalarInt(0)]), rowsOfWindows]);
  const windowMask = graph.op('Reshape', [graph.op('Pad', ['attention_mask', pads, scalarInt(0)]), rowsOfWindows]);
  const windowEmbedding = graph.name('window_embedding');
  const encoder = embedModel(useLite, 'use_lite', {
    input_ids: windowIds,
    attention_mask: windowMask,
    sentence_embedding: windowEmbedding,
  });

  // Windows of padding only (a shorter text in the batch) do not count; the others are averaged, then renormalised.
  const hasTokens = asFloat(
    graph.op('Greater', [graph.op('ReduceMax', [windowMask], { axes: [1], keepdims: 1 }), scalarInt(0)]),
  );
  const perText = graph.op('Reshape', [
    graph.op('Mul', [windowEmbedding, hasTokens]),
    graph.op('Concat', [graph.op('Unsqueeze', [batch, ints([0])]), ints([-1, EMBEDDING_DIMENSIONS])], { axis: 0 }),
  ]);
  const summed = graph.op('ReduceSum', [perText, ints([1])], { keepdims: 0 });
  const norm = graph.op('Sqrt', [
    graph.op('Max', [
      graph.op('ReduceSum', [graph.op('Mul', [summed, summed]), ints([-1])], { keepdims: 1 }),
      scalarFloat(1e-12),
    ]),
  ]);
  const embedding = graph.op('Div', [summed, norm]);

  // 2. Statistics: ln(1 + tokens), ln(1 + count) per token class.
  const mask = asFloat('attention_mask');
  const counts = [graph.op('ReduceSum', [mask, ints([1])], { keepdims: 1 })];
  if (classes > 0) {
    const perToken = graph.op(
      'Gather',
      [graph.constant(float32(tokenClassTable, [tokenClassTable.length / classes, classes])), 'input_ids'],
      { axis: 0 },
    );
    counts.push(
      graph.op('ReduceSum', [graph.op('Mul', [perToken, graph.op('Unsqueeze', [mask, ints([-1])])]), ints([1])], {
        keepdims: 0,
      }),
    );
  }
  const statistics = graph.op('Log', [
    graph.op('Add', [counts.length > 1 ? graph.op('Concat', counts, { axis: 1 }) : counts[0]!, scalarFloat(1)]),
  ]);
  const standardised = graph.op('Div', [
    graph.op('Sub', [statistics, graph.constant(float32(head.statisticMean, [head.statisticMean.length]))]),
    graph.constant(float32(head.statisticScale, [head.statisticScale.length])),
  ]);

  // 3. The MLP and the two logits.
  let activations = graph.op('Concat', [embedding, standardised], { axis: 1 });
  head.layers.forEach((layer, index) => {
    const dense = graph.op('Add', [
      graph.op('MatMul', [activations, graph.constant(float32(layer.weight, [layer.inputs, layer.outputs]))]),
      graph.constant(float32(layer.bias, [layer.outputs])),
    ]);
    activations = index < head.layers.length - 1 ? graph.op('Relu', [dense]) : dense;
  });
  graph.node('Mul', [activations, graph.constant(float32([-0.5, 0.5], [2]))], ['logits']);

  const own = graph.toModel({
    graphName: 'routellm_classifier',
    producer: 'routellm-web build-classifier',
    opset: 13,
    irVersion: 8,
    inputs: [
      tensorValueInfo('input_ids', OnnxDataType.INT64, ['batch_size', 'sequence_length']),
      tensorValueInfo('attention_mask', OnnxDataType.INT64, ['batch_size', 'sequence_length']),
    ],
    outputs: [tensorValueInfo('logits', OnnxDataType.FLOAT, ['batch_size', CLASSIFIER_LABELS.length])],
  });
  const initializer = [...own.graph.initializer, ...encoder.initializer];
  own.graph.node = topologicalOrder(
    [...own.graph.node, ...encoder.node],
    [...own.graph.input.map((input) => input.name), ...initializer.map((tensor) => tensor.name)],
  );
  own.graph.initializer = initializer;
  return own;
}
