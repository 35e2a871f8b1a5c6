/**
 * A tiny LLaMA-shaped causal LM in transformers.js layout, built here (no weights can be downloaded in tests): a
 * byte-level BPE tokenizer with a ChatML chat template (as Qwen2.5's), and a 2-layer decoder with grouped-query
 * attention, RMSNorm, SiLU MLP and learned positions, whose weights are seeded random numbers. It stands in for Hub
 * models such as onnx-community/Qwen2.5-0.5B-Instruct. `referenceNextTokenProbabilities` computes the same network
 * directly in float64 (no ONNX, no cache, no transformers.js), for the scorer to be checked against.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder, tensorValueInfo } from '../../src/node/onnx/graph-builder.ts';
import { OnnxDataType, encodeModel, type ValueInfoProto } from '../../src/node/onnx/onnx-proto.ts';
import { float32, int64 } from '../../src/node/onnx/tensor.ts';
import { createPrng } from '../../src/core/prng.ts';

const HIDDEN = 16;
const HEADS = 2;
const KV_HEADS = 1;
const HEAD_DIM = HIDDEN / HEADS;
const LAYERS = 2;
const FFN = 32;
const MAX_POSITIONS = 1024;
const RMS_EPSILON = 1e-6;
/** TensorProto.DataType.BOOL, which OnnxDataType (the types of weights) does not list. */
const ONNX_BOOL = 9;

/** Byte tokens 0-255 (GPT-2's byte-to-unicode alphabet), two merges, then the special tokens. */
const MERGES = [
  ['[', '['],
  [']', ']'],
] as const;
const SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;
const BYTE_TOKENS = byteAlphabet();
const VOCABULARY = [...BYTE_TOKENS, ...MERGES.map(([a, b]) => a + b), ...SPECIAL_TOKENS];
const SPECIAL_ID = (token: (typeof SPECIAL_TOKENS)[number]) => VOCABULARY.indexOf(token);

export const TINY_CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/**
 * How the graph reads a prompt, as exported causal LMs differ: with a KV cache (past_key_values.* in, present.* out),
 * with a cache and `num_logits_to_keep`, or without a cache (the whole prompt in one pass).
 */
export type TinyCausalLmVariant = 'cache' | 'cache-keep-logits' | 'no-cache';

interface Weights {
  embedding: Float32Array; // [V, D]
  positions: Float32Array; // [P, D]
  layers: Array<{
    attentionNorm: Float32Array;
    wq: Float32Array;
    wk: Float32Array;
    wv: Float32Array;
    wo: Float32Array;
    mlpNorm: Float32Array;
    w1: Float32Array;
    w2: Float32Array;
  }>;
  finalNorm: Float32Array;
  lmHead: Float32Array; // [D, V]
}

function byteAlphabet(): string[] {
  const printable = [...range(33, 127), ...range(161, 173), ...range(174, 256)];
  const alphabet: string[] = new Array(256);
  let extra = 0;
  for (let byte = 0; byte < 256; byte++)
    alphabet[byte] = String.fromCodePoint(printable.includes(byte) ? byte : 256 + extra++);
  return alphabet;
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, index) => start + index);
}

/** Seeded weights, scaled so that logits spread over a few units (label probabilities then differ by prompt). */
function makeWeights(seed: number): Weights {
  const next = createPrng(seed);
  const uniform = (count: number, scale: number) =>
    Float32Array.from({ length: count }, () => (2 * next() - 1) * scale);
  const matrix = (rows: number, columns: number) => uniform(rows * columns, Math.sqrt(3 / rows));
  const norm = () => Float32Array.from({ length: HIDDEN }, () => 0.5 + next());
  return {
    embedding: uniform(VOCABULARY.length * HIDDEN, 1),
    positions: uniform(MAX_POSITIONS * HIDDEN, 0.5),
    layers: Array.from({ length: LAYERS }, () => ({
      attentionNorm: norm(),
      wq: matrix(HIDDEN, HEADS * HEAD_DIM),
      wk: matrix(HIDDEN, KV_HEADS * HEAD_DIM),
      wv: matrix(HIDDEN, KV_HEADS * HEAD_DIM),
      wo: matrix(HEADS * HEAD_DIM, HIDDEN),
      mlpNorm: norm(),
      w1: matrix(HIDDEN, FFN),
      w2: matrix(FFN, HIDDEN),
    })),
    finalNorm: norm(),
    lmHead: uniform(HIDDEN * VOCABULARY.length, 2),
  };
}

/** Writes the model folder `<temp>/tiny-causal-lm` and returns its path. */
export function writeTinyCausalLm(options: {
  variant: TinyCausalLmVariant;
  seed?: number;
  chatTemplate?: string | null;
}): string {
  const folder = join(mkdtempSync(join(tmpdir(), 'routellm-causal-lm-')), 'tiny-causal-lm');
  mkdirSync(join(folder, 'onnx'), { recursive: true });
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  writeFileSync(
    join(folder, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: SPECIAL_TOKENS.map((content) => ({
        id: SPECIAL_ID(content),
        content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      })),
      normalizer: null,
      pre_tokenizer: byteLevel,
      post_processor: byteLevel,
      decoder: byteLevel,
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: '',
        end_of_word_suffix: '',
        fuse_unk: false,
        byte_fallback: false,
        vocab: Object.fromEntries(VOCABULARY.map((token, id) => [token, id])),
        merges: MERGES.map(([a, b]) => `${a} ${b}`),
      },
    }),
  );
  const chatTemplate = options.chatTemplate === undefined ? TINY_CHAT_TEMPLATE : options.chatTemplate;
  writeFileSync(
    join(folder, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'PreTrainedTokenizer',
      model_max_length: MAX_POSITIONS,
      eos_token: '<|im_end|>',
      pad_token: '<|endoftext|>',
      ...(chatTemplate === null ? {} : { chat_template: chatTemplate }),
    }),
  );
  writeFileSync(
    join(folder, 'config.json'),
    JSON.stringify({
      model_type: 'llama',
      architectures: ['LlamaForCausalLM'],
      vocab_size: VOCABULARY.length,
      hidden_size: HIDDEN,
      intermediate_size: FFN,
      num_attention_heads: HEADS,
      num_key_value_heads: KV_HEADS,
      head_dim: HEAD_DIM,
      num_hidden_layers: LAYERS,
      max_position_embeddings: MAX_POSITIONS,
      eos_token_id: SPECIAL_ID('<|im_end|>'),
      pad_token_id: SPECIAL_ID('<|endoftext|>'),
    }),
  );
  // Under the fp32 file name and, as Hub repos publish several dtypes, under the 4-bit one the scorer loads by default.
  const graph = encodeModel(buildGraph(makeWeights(options.seed ?? 0), options.variant));
  for (const file of ['model.onnx', 'model_q4.onnx']) writeFileSync(join(folder, 'onnx', file), graph);
  return folder;
}

function buildGraph(weights: Weights, variant: TinyCausalLmVariant) {
  const graph = new GraphBuilder();
  const withCache = variant !== 'no-cache';
  const constant = (data: Float32Array, shape: number[]) => graph.constant(float32(data, shape));
  const scalarFloat = (value: number) => graph.constant(float32([value], []));
  const ints = (values: number[]) => graph.constant(int64(values));

  const rmsNorm = (x: string, gain: Float32Array) => {
    const meanSquare = graph.op('ReduceMean', [graph.op('Mul', [x, x])], { axes: [-1], keepdims: 1 });
    const inverse = graph.op('Reciprocal', [
      graph.op('Sqrt', [graph.op('Add', [meanSquare, scalarFloat(RMS_EPSILON)])]),
    ]);
    return graph.op('Mul', [graph.op('Mul', [x, inverse]), constant(gain, [HIDDEN])]);
  };
  const splitHeads = (x: string, heads: number) =>
    graph.op('Transpose', [graph.op('Reshape', [x, ints([0, 0, heads, HEAD_DIM])])], { perm: [0, 2, 1, 3] });

  // Attention bias [batch, 1, queries, keys]: key j is visible to query i when j <= past + i and the mask has it.
  const queries = graph.op('Gather', [graph.op('Shape', ['input_ids']), graph.constant(int64([1], []))], { axis: 0 });
  const keys = graph.op('Gather', [graph.op('Shape', ['attention_mask']), graph.constant(int64([1], []))], { axis: 0 });
  const past = graph.op('Sub', [keys, queries]);
  const queryPositions = graph.op('Range', [past, keys, graph.constant(int64([1], []))]);
  const keyPositions = graph.op('Range', [graph.constant(int64([0], [])), keys, graph.constant(int64([1], []))]);
  const causal = graph.op('LessOrEqual', [
    graph.op('Unsqueeze', [keyPositions, ints([0])]),
    graph.op('Unsqueeze', [queryPositions, ints([1])]),
  ]);
  const keyMask = graph.op('Unsqueeze', [graph.op('Cast', ['attention_mask'], { to: ONNX_BOOL }), ints([1, 2])]);
  const bias = graph.op('Where', [graph.op('And', [causal, keyMask]), scalarFloat(0), scalarFloat(-1e9)]);

  let x = graph.op('Add', [
    graph.op('Gather', [constant(weights.embedding, [VOCABULARY.length, HIDDEN]), 'input_ids'], { axis: 0 }),
    graph.op('Gather', [constant(weights.positions, [MAX_POSITIONS, HIDDEN]), 'position_ids'], { axis: 0 }),
  ]);
  weights.layers.forEach((layer, index) => {
    const normed = rmsNorm(x, layer.attentionNorm);
    const q = splitHeads(graph.op('MatMul', [normed, constant(layer.wq, [HIDDEN, HEADS * HEAD_DIM])]), HEADS);
    let k = splitHeads(graph.op('MatMul', [normed, constant(layer.wk, [HIDDEN, KV_HEADS * HEAD_DIM])]), KV_HEADS);
    let v = splitHeads(graph.op('MatMul', [normed, constant(layer.wv, [HIDDEN, KV_HEADS * HEAD_DIM])]), KV_HEADS);
    if (withCache) {
      graph.node('Concat', [`past_key_values.${index}.key`, k], [`present.${index}.key`], { axis: 2 });
      graph.node('Concat', [`past_key_values.${index}.value`, v], [`present.${index}.value`], { axis: 2 });
      [k, v] = [`present.${index}.key`, `present.${index}.value`];
    }
    // MatMul broadcasts the single key/value head over the query heads (grouped-query attention).
    const scores = graph.op('Add', [
      graph.op('Mul', [
        graph.op('MatMul', [q, graph.op('Transpose', [k], { perm: [0, 1, 3, 2] })]),
        scalarFloat(1 / Math.sqrt(HEAD_DIM)),
      ]),
      bias,
    ]);
    const attended = graph.op('MatMul', [graph.op('Softmax', [scores], { axis: -1 }), v]);
    const merged = graph.op('Reshape', [
      graph.op('Transpose', [attended], { perm: [0, 2, 1, 3] }),
      ints([0, 0, HIDDEN]),
    ]);
    x = graph.op('Add', [x, graph.op('MatMul', [merged, constant(layer.wo, [HIDDEN, HIDDEN])])]);
    const hidden = graph.op('MatMul', [rmsNorm(x, layer.mlpNorm), constant(layer.w1, [HIDDEN, FFN])]);
    const silu = graph.op('Mul', [hidden, graph.op('Sigmoid', [hidden])]);
    x = graph.op('Add', [x, graph.op('MatMul', [silu, constant(layer.w2, [FFN, HIDDEN])])]);
  });
  let final = rmsNorm(x, weights.finalNorm);
  if (variant === 'cache-keep-logits') {
    // num_logits_to_keep = 0 keeps every position, k > 0 the last k.
    const zero = graph.constant(int64([0], []));
    const start = graph.op('Where', [
      graph.op('Equal', ['num_logits_to_keep', zero]),
      zero,
      graph.op('Sub', [queries, 'num_logits_to_keep']),
    ]);
    final = graph.op('Slice', [
      final,
      graph.op('Unsqueeze', [start, ints([0])]),
      graph.op('Unsqueeze', [queries, ints([0])]),
      ints([1]),
    ]);
  }
  graph.node('MatMul', [final, constant(weights.lmHead, [HIDDEN, VOCABULARY.length])], ['logits']);

  const cacheInfo = (prefix: string, length: string): ValueInfoProto[] =>
    weights.layers.flatMap((_, index) =>
      ['key', 'value'].map((kind) =>
        tensorValueInfo(`${prefix}.${index}.${kind}`, OnnxDataType.FLOAT, ['batch_size', KV_HEADS, length, HEAD_DIM]),
      ),
    );
  return graph.toModel({
    graphName: 'tiny_causal_lm',
    producer: 'routellm-web tests',
    opset: 13,
    irVersion: 8,
    inputs: [
      tensorValueInfo('input_ids', OnnxDataType.INT64, ['batch_size', 'sequence_length']),
      tensorValueInfo('attention_mask', OnnxDataType.INT64, ['batch_size', 'total_sequence_length']),
      tensorValueInfo('position_ids', OnnxDataType.INT64, ['batch_size', 'sequence_length']),
      ...(withCache ? cacheInfo('past_key_values', 'past_sequence_length') : []),
      ...(variant === 'cache-keep-logits' ? [tensorValueInfo('num_logits_to_keep', OnnxDataType.INT64, [])] : []),
    ],
    outputs: [
      tensorValueInfo('logits', OnnxDataType.FLOAT, ['batch_size', 'logits_length', VOCABULARY.length]),
      ...(withCache ? cacheInfo('present', 'total_sequence_length') : []),
    ],
  });
}

/**
 * Token ids of a text as the tiny tokenizer reads it: special tokens whole, every other UTF-8 byte its own token,
 * then the merges. With only '[[' and ']]' to merge, merging equal neighbours left to right is exactly BPE (a run
 * of brackets is always one pre-token).
 */
export function referenceTokenIds(text: string): number[] {
  const ids: number[] = [];
  for (const part of text.split(/(<\|endoftext\|>|<\|im_start\|>|<\|im_end\|>)/)) {
    if ((SPECIAL_TOKENS as readonly string[]).includes(part)) {
      ids.push(VOCABULARY.indexOf(part));
      continue;
    }
    const bytes = [...new TextEncoder().encode(part)];
    for (let index = 0; index < bytes.length; index++) {
      const pair = MERGES.findIndex(([a]) => a.charCodeAt(0) === bytes[index] && bytes[index + 1] === bytes[index]);
      if (pair >= 0) {
        ids.push(BYTE_TOKENS.length + pair);
        index++;
      } else {
        ids.push(bytes[index]!);
      }
    }
  }
  return ids;
}

/** The ChatML text the tiny model's template renders, with the generation prompt. */
export function referenceChatText(messages: ReadonlyArray<{ role: string; content: string }>): string {
  return `${messages.map((message) => `<|im_start|>${message.role}\n${message.content}<|im_end|>\n`).join('')}<|im_start|>assistant\n`;
}

/** The network in float64, position by position over the whole prompt: softmax of the last position's logits. */
export function referenceNextTokenProbabilities(ids: readonly number[], seed = 0): number[] {
  const weights = makeWeights(seed);
  const matVec = (vector: readonly number[], matrix: Float32Array, columns: number) =>
    Array.from({ length: columns }, (_, column) =>
      vector.reduce((sum, value, row) => sum + value * matrix[row * columns + column]!, 0),
    );
  const rmsNorm = (vector: readonly number[], gain: Float32Array) => {
    const inverse = 1 / Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0) / vector.length + RMS_EPSILON);
    return vector.map((value, dim) => value * inverse * gain[dim]!);
  };
  let states = ids.map((id, position) =>
    Array.from(
      { length: HIDDEN },
      (_, dim) => weights.embedding[id * HIDDEN + dim]! + weights.positions[position * HIDDEN + dim]!,
    ),
  );
  for (const layer of weights.layers) {
    const normed = states.map((state) => rmsNorm(state, layer.attentionNorm));
    const q = normed.map((state) => matVec(state, layer.wq, HEADS * HEAD_DIM));
    const k = normed.map((state) => matVec(state, layer.wk, KV_HEADS * HEAD_DIM));
    const v = normed.map((state) => matVec(state, layer.wv, KV_HEADS * HEAD_DIM));
    const kvHeadOf = (head: number) => Math.floor(head / (HEADS / KV_HEADS));
    states = states.map((state, position) => {
      const merged: number[] = [];
      for (let head = 0; head < HEADS; head++) {
        const kvHead = kvHeadOf(head);
        const query = q[position]!.slice(head * HEAD_DIM, (head + 1) * HEAD_DIM);
        const scores = range(0, position + 1).map(
          (key) =>
            query.reduce((sum, value, dim) => sum + value * k[key]![kvHead * HEAD_DIM + dim]!, 0) / Math.sqrt(HEAD_DIM),
        );
        const max = Math.max(...scores);
        const exps = scores.map((score) => Math.exp(score - max));
        const total = exps.reduce((sum, value) => sum + value, 0);
        for (let dim = 0; dim < HEAD_DIM; dim++) {
          merged.push(exps.reduce((sum, weight, key) => sum + (weight / total) * v[key]![kvHead * HEAD_DIM + dim]!, 0));
        }
      }
      const attended = matVec(merged, layer.wo, HIDDEN).map((value, dim) => value + state[dim]!);
      const hidden = matVec(rmsNorm(attended, layer.mlpNorm), layer.w1, FFN).map(
        (value) => value / (1 + Math.exp(-value)),
      );
      return matVec(hidden, layer.w2, HIDDEN).map((value, dim) => value + attended[dim]!);
    });
  }
  const logits = matVec(rmsNorm(states.at(-1)!, weights.finalNorm), weights.lmHead, VOCABULARY.length);
  const max = Math.max(...logits);
  const exps = logits.map((logit) => Math.exp(logit - max));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return exps.map((value) => value / total);
}
