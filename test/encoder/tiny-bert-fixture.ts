/**
 * A tiny BERT-shaped model in transformers.js layout, written to a temp folder: a WordPiece tokenizer that wraps text
 * in [CLS] ... [SEP], a 6-token limit, and an ONNX graph whose token states are plain embedding rows, so pooled
 * outputs can be computed by hand. It stands in for Hub models such as Xenova/bge-small-en-v1.5 (no network in tests).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder, tensorValueInfo } from '../../src/node/onnx/graph-builder.ts';
import { OnnxDataType, encodeModel } from '../../src/node/onnx/onnx-proto.ts';
import { float32, int64 } from '../../src/node/onnx/tensor.ts';

export const TINY_BERT_VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'the', 'cat', 'sat', 'on', 'mat', 'dog'];
export const TINY_BERT_MAX_TOKENS = 6;
const HIDDEN = 4;

/** Row i of the token embedding table, which is the token's hidden state. */
export function tinyBertRow(id: number): number[] {
  return [id + 1, id % 3, 1, 0.5 * id];
}

export function tinyBertIds(text: string): number[] {
  return text.split(' ').map((word) => TINY_BERT_VOCAB.indexOf(word));
}

/** Writes the model folder `<temp>/tiny-bert` and returns its path. */
export function writeTinyBert(): string {
  const folder = join(mkdtempSync(join(tmpdir(), 'routellm-encoder-')), 'tiny-bert');
  mkdirSync(join(folder, 'onnx'), { recursive: true });
  const special = (id: number) => ({
    id,
    content: TINY_BERT_VOCAB[id],
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  writeFileSync(
    join(folder, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [0, 1, 2, 3].map(special),
      normalizer: {
        type: 'BertNormalizer',
        clean_text: true,
        handle_chinese_chars: true,
        strip_accents: null,
        lowercase: true,
      },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: {
        type: 'TemplateProcessing',
        single: [
          { SpecialToken: { id: '[CLS]', type_id: 0 } },
          { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: { id: '[SEP]', type_id: 0 } },
        ],
        pair: [
          { SpecialToken: { id: '[CLS]', type_id: 0 } },
          { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: { id: '[SEP]', type_id: 0 } },
          { Sequence: { id: 'B', type_id: 1 } },
          { SpecialToken: { id: '[SEP]', type_id: 1 } },
        ],
        special_tokens: {
          '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
          '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
        },
      },
      decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
      model: {
        type: 'WordPiece',
        unk_token: '[UNK]',
        continuing_subword_prefix: '##',
        max_input_chars_per_word: 100,
        vocab: Object.fromEntries(TINY_BERT_VOCAB.map((token, id) => [token, id])),
      },
    }),
  );
  writeFileSync(
    join(folder, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'BertTokenizer',
      model_max_length: TINY_BERT_MAX_TOKENS,
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      unk_token: '[UNK]',
      do_lower_case: true,
    }),
  );
  writeFileSync(
    join(folder, 'config.json'),
    JSON.stringify({
      model_type: 'bert',
      architectures: ['BertModel'],
      hidden_size: HIDDEN,
      vocab_size: TINY_BERT_VOCAB.length,
      max_position_embeddings: 512,
    }),
  );

  // last_hidden_state = (E[input_ids] + T[token_type_ids]) * attention_mask; T is zero, so a state is its token's row.
  const graph = new GraphBuilder();
  const table = float32(
    TINY_BERT_VOCAB.flatMap((_, id) => tinyBertRow(id)),
    [TINY_BERT_VOCAB.length, HIDDEN],
  );
  const typeTable = float32(new Float32Array(2 * HIDDEN), [2, HIDDEN]);
  const states = graph.op('Add', [
    graph.op('Gather', [graph.constant(table), 'input_ids'], { axis: 0 }),
    graph.op('Gather', [graph.constant(typeTable), 'token_type_ids'], { axis: 0 }),
  ]);
  const mask = graph.op('Unsqueeze', [
    graph.op('Cast', ['attention_mask'], { to: OnnxDataType.FLOAT }),
    graph.constant(int64([-1])),
  ]);
  graph.node('Mul', [states, mask], ['last_hidden_state']);
  const model = graph.toModel({
    graphName: 'tiny_bert',
    producer: 'routellm-web tests',
    opset: 13,
    irVersion: 8,
    inputs: ['input_ids', 'attention_mask', 'token_type_ids'].map((name) =>
      tensorValueInfo(name, OnnxDataType.INT64, ['batch_size', 'sequence_length']),
    ),
    outputs: [tensorValueInfo('last_hidden_state', OnnxDataType.FLOAT, ['batch_size', 'sequence_length', HIDDEN])],
  });
  writeFileSync(join(folder, 'onnx/model.onnx'), encodeModel(model));
  return folder;
}
