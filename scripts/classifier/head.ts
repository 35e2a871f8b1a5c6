/**
 * The classifier head as trained and committed (public/routers/classifier/): a small MLP over the USE-lite embedding
 * and the prompt statistics of ./features.ts, whose single output is the log-odds that the strong model wins.
 * `head.bin` holds the layers' float32 weights; manifest.json says how to read them and where they came from.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenClass } from './features.ts';

export const HEAD_FORMAT = 'routellm-classifier-head/1';
export const HEAD_WEIGHTS_FILE = 'head.bin';
/** The head reads unit-length USE-lite vectors. */
export const EMBEDDING_DIMENSIONS = 512;

/** y = x W + b, with W row-major [inputs, outputs]. */
export interface DenseLayer {
  readonly inputs: number;
  readonly outputs: number;
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

export interface ClassifierHead {
  /** TOKEN_CLASSES counted, in order; the statistics are ln(1 + tokens), then ln(1 + count) per class. */
  readonly tokenClasses: readonly string[];
  /** Standardisation of the statistics: (statistic - mean) / scale. */
  readonly statisticMean: Float32Array;
  readonly statisticScale: Float32Array;
  /** ReLU between layers; the first reads [embedding, standardised statistics], the last has one output. */
  readonly layers: readonly DenseLayer[];
}

/** What manifest.json records about the head's tensors (the rest of the manifest is provenance). */
export interface HeadManifestFields {
  readonly format: typeof HEAD_FORMAT;
  readonly weights: { readonly file: string; readonly sha256: string };
  readonly tokenClasses: readonly string[];
  readonly statisticMean: readonly number[];
  readonly statisticScale: readonly number[];
  readonly layers: ReadonlyArray<{ readonly inputs: number; readonly outputs: number }>;
}

/** Checks that the layers chain from [embedding, statistics] to one output. */
export function validateHead(head: ClassifierHead): void {
  head.tokenClasses.forEach(tokenClass);
  const statistics = 1 + head.tokenClasses.length;
  if (head.statisticMean.length !== statistics || head.statisticScale.length !== statistics) {
    throw new Error(`head statistics: expected ${statistics} means and scales`);
  }
  if (head.statisticScale.some((scale) => !(scale > 0))) throw new Error('head statistics: every scale must be positive');
  let inputs = EMBEDDING_DIMENSIONS + statistics;
  head.layers.forEach((layer, index) => {
    if (layer.inputs !== inputs || layer.weight.length !== layer.inputs * layer.outputs || layer.bias.length !== layer.outputs) {
      throw new Error(`head layer ${index}: expected ${inputs} inputs and weights of [inputs, outputs]`);
    }
    inputs = layer.outputs;
  });
  if (inputs !== 1 || head.layers.length === 0) throw new Error('head: the last layer must have one output (the log-odds)');
}

/** head.bin contents and the manifest fields describing them. */
export function encodeHead(head: ClassifierHead): { bytes: Uint8Array; fields: HeadManifestFields } {
  validateHead(head);
  const floats = head.layers.flatMap((layer) => [...layer.weight, ...layer.bias]);
  const bytes = new Uint8Array(Float32Array.from(floats).buffer);
  return {
    bytes,
    fields: {
      format: HEAD_FORMAT,
      weights: { file: HEAD_WEIGHTS_FILE, sha256: createHash('sha256').update(bytes).digest('hex') },
      tokenClasses: head.tokenClasses,
      statisticMean: [...head.statisticMean],
      statisticScale: [...head.statisticScale],
      layers: head.layers.map(({ inputs, outputs }) => ({ inputs, outputs })),
    },
  };
}

/** Writes manifest.json (the head's fields after `provenance`) and head.bin into `folder`. */
export function writeHead(folder: string, head: ClassifierHead, provenance: Record<string, unknown>): void {
  const { bytes, fields } = encodeHead(head);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, HEAD_WEIGHTS_FILE), bytes);
  writeFileSync(join(folder, 'manifest.json'), `${JSON.stringify({ ...provenance, ...fields }, null, 2)}\n`);
}

/** Reads a head from a folder written by the trainer (manifest.json + head.bin), checking the weights' hash. */
export function readHead(folder: string): { head: ClassifierHead; manifest: Record<string, unknown> } {
  const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as Record<string, unknown> & HeadManifestFields;
  if (manifest.format !== HEAD_FORMAT) throw new Error(`${folder}/manifest.json: format must be ${HEAD_FORMAT}, got ${String(manifest.format)}`);
  const bytes = readFileSync(join(folder, manifest.weights.file));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== manifest.weights.sha256) throw new Error(`${folder}/${manifest.weights.file} does not match the sha256 in manifest.json`);
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  let offset = 0;
  const take = (count: number) => {
    if (offset + count > floats.length) throw new Error(`${folder}/${manifest.weights.file} is shorter than manifest.json says`);
    offset += count;
    return floats.slice(offset - count, offset);
  };
  const layers = manifest.layers.map(({ inputs, outputs }) => ({ inputs, outputs, weight: take(inputs * outputs), bias: take(outputs) }));
  if (offset !== floats.length) throw new Error(`${folder}/${manifest.weights.file} is longer than manifest.json says`);
  const head: ClassifierHead = {
    tokenClasses: manifest.tokenClasses,
    statisticMean: Float32Array.from(manifest.statisticMean),
    statisticScale: Float32Array.from(manifest.statisticScale),
    layers,
  };
  validateHead(head);
  return { head, manifest };
}

/** The head's log-odds for one prompt, in float64: what the exported graph computes, for training and tests. */
export function headLogOdds(head: ClassifierHead, embedding: ArrayLike<number>, statistics: ArrayLike<number>): number {
  let activations = [...Array.from(embedding), ...Array.from(statistics, (value, index) => (value - head.statisticMean[index]!) / head.statisticScale[index]!)];
  head.layers.forEach((layer, index) => {
    const next = Array.from(layer.bias, Number);
    for (let input = 0; input < layer.inputs; input++) {
      const value = activations[input]!;
      if (value === 0) continue;
      for (let output = 0; output < layer.outputs; output++) next[output]! += value * layer.weight[input * layer.outputs + output]!;
    }
    activations = index < head.layers.length - 1 ? next.map((value) => Math.max(0, value)) : next;
  });
  return activations[0]!;
}
