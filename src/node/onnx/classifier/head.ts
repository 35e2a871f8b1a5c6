/**
 * The classifier head as trained and committed (public/routers/classifier/, a router folder as src/node/router-weights.ts
 * reads and writes it): a small MLP over the USE-lite embedding and the prompt statistics of ./features.ts, whose
 * single output is the log-odds that the strong model wins. `head.bin` holds the layers' float32 weights;
 * manifest.json says how to read them and where they came from.
 */
import { type RouterWeights, ModelLoadError } from '../../../core/index.ts';
import { tokenClass } from './features.ts';

export const HEAD_FORMAT = 'routellm-classifier-head/1';
export const HEAD_WEIGHTS_FILE = 'head.bin';
/** The head reads unit-length USE-lite vectors. */
export const EMBEDDING_DIMENSIONS = 512;
/**
 * The encoder variant inside the classifier model, and so the one the head is trained on: int8 weights with float
 * activations (q8), whose results do not depend on batch neighbours or padding (see build-classifier-model.ts).
 */
export const HEAD_ENCODER_DTYPE = 'q8';

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
export type HeadManifestFields = {
  readonly format: typeof HEAD_FORMAT;
  readonly tokenClasses: readonly string[];
  readonly statisticMean: readonly number[];
  readonly statisticScale: readonly number[];
  /** Layer shapes; head.bin holds each layer's weight then bias, float32 little-endian, in this order. */
  readonly layers: ReadonlyArray<{ readonly inputs: number; readonly outputs: number }>;
};

/** Checks that the layers chain from [embedding, statistics] to one output. */
export function validateHead(head: ClassifierHead): void {
  head.tokenClasses.forEach(tokenClass);
  const statistics = 1 + head.tokenClasses.length;
  if (head.statisticMean.length !== statistics || head.statisticScale.length !== statistics) {
    throw new ModelLoadError(`head statistics: expected ${statistics} means and scales`);
  }
  if (head.statisticScale.some((scale) => !(scale > 0)))
    throw new ModelLoadError('head statistics: every scale must be positive');
  let inputs = EMBEDDING_DIMENSIONS + statistics;
  head.layers.forEach((layer, index) => {
    if (
      layer.inputs !== inputs ||
      layer.weight.length !== layer.inputs * layer.outputs ||
      layer.bias.length !== layer.outputs
    ) {
      throw new ModelLoadError(`head layer ${index}: expected ${inputs} inputs and weights of [inputs, outputs]`);
    }
    inputs = layer.outputs;
  });
  if (inputs !== 1 || head.layers.length === 0)
    throw new ModelLoadError('head: the last layer must have one output (the log-odds)');
}

/** The router folder's contents (writeRouterFolder adds each file's size and SHA-256 to the manifest). */
export function encodeHead(head: ClassifierHead): { fields: HeadManifestFields; files: Map<string, Uint8Array> } {
  validateHead(head);
  const floats = Float32Array.from(head.layers.flatMap((layer) => [...layer.weight, ...layer.bias]));
  return {
    fields: {
      format: HEAD_FORMAT,
      tokenClasses: head.tokenClasses,
      statisticMean: [...head.statisticMean],
      statisticScale: [...head.statisticScale],
      layers: head.layers.map(({ inputs, outputs }) => ({ inputs, outputs })),
    },
    files: new Map([[HEAD_WEIGHTS_FILE, new Uint8Array(floats.buffer)]]),
  };
}

/** The head in a router folder read by readRouterFolder (which has checked the files' hashes). */
export function decodeHead(weights: RouterWeights): ClassifierHead {
  const manifest = weights.manifest as Partial<HeadManifestFields>;
  if (manifest.format !== HEAD_FORMAT)
    throw new ModelLoadError(`classifier head manifest: format must be ${HEAD_FORMAT}, got ${String(manifest.format)}`);
  const bytes = weights.files.get(HEAD_WEIGHTS_FILE);
  if (!bytes || !manifest.layers || !manifest.tokenClasses || !manifest.statisticMean || !manifest.statisticScale) {
    throw new ModelLoadError(
      `classifier head manifest: needs ${HEAD_WEIGHTS_FILE}, layers, tokenClasses, statisticMean and statisticScale`,
    );
  }
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  let offset = 0;
  const take = (count: number) => {
    if (offset + count > floats.length)
      throw new ModelLoadError(`${HEAD_WEIGHTS_FILE} is shorter than the manifest's layers`);
    offset += count;
    return floats.slice(offset - count, offset);
  };
  const layers = manifest.layers.map(({ inputs, outputs }) => ({
    inputs,
    outputs,
    weight: take(inputs * outputs),
    bias: take(outputs),
  }));
  if (offset !== floats.length) throw new ModelLoadError(`${HEAD_WEIGHTS_FILE} is longer than the manifest's layers`);
  const head: ClassifierHead = {
    tokenClasses: manifest.tokenClasses,
    statisticMean: Float32Array.from(manifest.statisticMean),
    statisticScale: Float32Array.from(manifest.statisticScale),
    layers,
  };
  validateHead(head);
  return head;
}

/** The head's log-odds for one prompt, in float64: what the exported graph computes, for training and tests. */
export function headLogOdds(head: ClassifierHead, embedding: ArrayLike<number>, statistics: ArrayLike<number>): number {
  let activations = [
    ...Array.from(embedding),
    ...Array.from(statistics, (value, index) => (value - head.statisticMean[index]!) / head.statisticScale[index]!),
  ];
  head.layers.forEach((layer, index) => {
    const next = Array.from(layer.bias, Number);
    for (let input = 0; input < layer.inputs; input++) {
      const value = activations[input]!;
      if (value === 0) continue;
      for (let output = 0; output < layer.outputs; output++)
        next[output]! += value * layer.weight[input * layer.outputs + output]!;
    }
    activations = index < head.layers.length - 1 ? next.map((value) => Math.max(0, value)) : next;
  });
  return activations[0]!;
}
