import { ModelLoadError } from './errors.ts';
import type { RouterWeights } from './registry.ts';

/**
 * How learned routers store their numbers: one little-endian float32 file (`weights.bin`) that a browser fetches
 * as one ArrayBuffer and views without parsing, described by the manifest's `tensors` field:
 *   "tensors": { "<name>": { "offset": <first float>, "shape": [rows, columns] } }
 * Offsets and sizes count float32 values, not bytes. Everything else a router needs (model names, feature
 * scaling, calibration) is plain JSON in the manifest.
 */
export const TENSOR_FILE = 'weights.bin';

export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface TensorEntry {
  readonly offset: number;
  readonly shape: readonly number[];
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((product, dimension) => product * dimension, 1);
}

/** Packs named tensors into the weights file and its manifest entries, in the given order. */
export function packTensors(tensors: Readonly<Record<string, Tensor>>): { bytes: Uint8Array; entries: Record<string, TensorEntry> } {
  const entries: Record<string, TensorEntry> = {};
  let total = 0;
  for (const [name, tensor] of Object.entries(tensors)) {
    if (tensor.data.length !== sizeOf(tensor.shape)) throw new ModelLoadError(`Tensor '${name}' has ${tensor.data.length} values for shape [${tensor.shape.join(', ')}].`);
    entries[name] = { offset: total, shape: [...tensor.shape] };
    total += tensor.data.length;
  }
  const bytes = new Uint8Array(total * 4);
  const view = new DataView(bytes.buffer);
  for (const [name, tensor] of Object.entries(tensors)) {
    const start = entries[name]!.offset * 4;
    tensor.data.forEach((value, index) => view.setFloat32(start + index * 4, value, true));
  }
  return { bytes, entries };
}

/** The named tensors of a router's weights (manifest `tensors` + `weights.bin`), checked against the file's size. */
export function readTensors(weights: RouterWeights, where: string): Map<string, Tensor> {
  const described = weights.manifest['tensors'];
  if (typeof described !== 'object' || described === null || Array.isArray(described)) {
    throw new ModelLoadError(`${where}: the manifest has no "tensors" table.`);
  }
  const bytes = weights.files.get(TENSOR_FILE);
  if (!bytes) throw new ModelLoadError(`${where}: ${TENSOR_FILE} was not loaded (is it listed in the manifest's "files"?).`);
  if (bytes.byteLength % 4 !== 0) throw new ModelLoadError(`${where}: ${TENSOR_FILE} is not a whole number of float32 values.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const available = bytes.byteLength / 4;
  const tensors = new Map<string, Tensor>();
  for (const [name, entry] of Object.entries(described as Record<string, unknown>)) {
    const { offset, shape } = (entry ?? {}) as { offset?: unknown; shape?: unknown };
    if (
      !Number.isInteger(offset) ||
      (offset as number) < 0 ||
      !Array.isArray(shape) ||
      !shape.every((dimension) => Number.isInteger(dimension) && dimension >= 0)
    ) {
      throw new ModelLoadError(`${where}: tensor '${name}' needs an integer "offset" and a "shape" of integers.`);
    }
    const size = sizeOf(shape as number[]);
    if ((offset as number) + size > available) throw new ModelLoadError(`${where}: tensor '${name}' runs past the end of ${TENSOR_FILE}.`);
    const data = new Float32Array(size);
    for (let index = 0; index < size; index++) data[index] = view.getFloat32(((offset as number) + index) * 4, true);
    tensors.set(name, { shape: shape as number[], data });
  }
  return tensors;
}

/** A tensor by name with the expected number of dimensions, or a load error naming what is wrong. */
export function requireTensor(tensors: ReadonlyMap<string, Tensor>, name: string, rank: number, where: string): Tensor {
  const tensor = tensors.get(name);
  if (!tensor) throw new ModelLoadError(`${where}: tensor '${name}' is missing.`);
  if (tensor.shape.length !== rank) throw new ModelLoadError(`${where}: tensor '${name}' must have ${rank} dimensions, has ${tensor.shape.length}.`);
  return tensor;
}
