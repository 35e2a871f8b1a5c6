import { TFJS_PACKAGE, TFJS_PACKAGE_VERSION } from './tfjs-weights.ts';
import { USE_LITE_DIMENSIONS, USE_LITE_MAX_TOKENS } from './use-lite-graph.ts';
import { ModelLoadError } from '../../core/index.ts';

/** The first six vocabulary entries are reserved symbols (unk, <s>, </s>, extra ids) the TF.js tokenizer never matches. */
const RESERVED_PIECES = 6;
const RESERVED_SCORE = -1e4;

/**
 * tokenizer.json for the Hugging Face tokenizers format: SentencePiece unigram with NFKC and a metaspace that
 * prepends '▁'. Matches the TF.js tokenizer's ids exactly (checked against the reference vectors).
 */
export function tokenizerJson(vocab: ReadonlyArray<readonly [string, number | null]>): string {
  const unk = pieceZero(vocab);
  const metaspace = { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true };
  return JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      { id: 0, content: unk, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
    ],
    normalizer: { type: 'NFKC' },
    pre_tokenizer: metaspace,
    post_processor: null,
    decoder: metaspace,
    model: {
      type: 'Unigram',
      unk_id: 0,
      // A null score counts as 0 in the TF.js tokenizer (null + x === x).
      vocab: vocab.map(([piece, score], index) => [piece, index < RESERVED_PIECES ? RESERVED_SCORE : (score ?? 0)]),
      byte_fallback: false,
    },
  });
}

export function tokenizerConfigJson(vocab: ReadonlyArray<readonly [string, number | null]>): string {
  const unk = pieceZero(vocab);
  return json({
    tokenizer_class: 'PreTrainedTokenizer',
    model_max_length: USE_LITE_MAX_TOKENS,
    unk_token: unk,
    pad_token: unk,
    clean_up_tokenization_spaces: false,
  });
}

/** transformers.js loads the graph as a BertModel: any model type whose session takes input_ids and attention_mask would do. */
export function configJson(vocabSize: number): string {
  return json({
    model_type: 'bert',
    architectures: ['BertModel'],
    hidden_size: USE_LITE_DIMENSIONS,
    vocab_size: vocabSize,
    pad_token_id: 0,
    max_position_embeddings: USE_LITE_MAX_TOKENS,
    _comment:
      'Universal Sentence Encoder lite re-built as ONNX (not a BERT). Output is already pooled+normalized; ' +
      'last_hidden_state repeats it over positions, so pooling mean/cls both give the USE vector.',
  });
}

export function modelReadme(): string {
  return [
    '# universal-sentence-encoder-lite (ONNX, transformers.js layout)',
    '',
    'Weights: Google Universal Sentence Encoder lite (Cer et al. 2018), Apache-2.0, as shipped in npm',
    `${TFJS_PACKAGE}@${TFJS_PACKAGE_VERSION} (Apache-2.0). Graph rebuilt by routellm-web's scripts/build-encoder.ts;`,
    `${USE_LITE_DIMENSIONS}-d output, L2-normalised. Token id 0 (unk) is masked like padding. Max ${USE_LITE_MAX_TOKENS} tokens.`,
    '',
    '- onnx/model.onnx: fp32 (transformers.js dtype fp32), matches the TF.js model to cosine >= 0.9999.',
    '- onnx/model_quantized.onnx: int8 weights through DequantizeLinear (dtype q8), cosine >= 0.999 against TF.js.',
    '- onnx/model_int8.onnx: dynamic int8 quantisation, MatMulInteger with uint8 weights at zero point 128 (dtype int8),',
    "  cosine >= 0.999 against TF.js; the fastest variant on WASM and on onnxruntime-node, and routellm-web's default.",
    '',
  ].join('\n');
}

function pieceZero(vocab: ReadonlyArray<readonly [string, number | null]>): string {
  const entry = vocab[0];
  if (!entry) throw new ModelLoadError('vocab.json is empty');
  return entry[0];
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
