import { ModelLoadError } from './errors.ts';
import type { RouterWeights } from './registry.ts';

/**
 * How learned routers store their numbers: one little-endian binary file (`weights.bin`) that a browser fetches as
 * one ArrayBuffer, described by the manifest's `tensors` field:
 *   "tensors": { "<name>": { "dtype": "float32" | "float16", "byteOffset": <n>, "shape": [rows, columns] } }
 * float16 halves the size of large tables (a router's training-prompt embeddings) at no cost to routing: it keeps
 * about three significant digits, far finer than the similarities it feeds. Tensors come back as Float32Array.
 * Everything else a router needs (model names, feature scaling, calibration) is plain JSON in the manifest.
 */
export const TENSOR_FILE = 'weights.bin';

export type TensorDtype = 'float32' | 'float16';

export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** A tensor to pack, optionally stored at half precision. */
export interface TensorToPack extends Tensor {
  readonly dtype?: TensorDtype;
}

export interface TensorEntry {
  readonly dtype: TensorDtype;
  readonly byteOffset: number;
  readonly shape: readonly number[];
}

const BYTES: Readonly<Record<TensorDtype, number>> = { float32: 4, float16: 2 };

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((product, dimension) => product * dimension, 1);
}

/** IEEE 754 half precision from a double, rounding to nearest even (values beyond 65504 become infinity). */
export function toFloat16Bits(value: number): number {
  const float = new Float32Array([value]);
  const bits = new Uint32Array(float.buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    const half = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    return sign | (remainder > halfway || (remainder === halfway && (half & 1)) ? half + 1 : half);
  }
  const half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  return sign | (remainder > 0x1000 || (remainder === 0x1000 && (half & 1)) ? half + 1 : half);
}

export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Packs named tensors into the weights file and its manifest entries, in the given order (each 4-byte aligned). */
export function packTensors(tensors: Readonly<Record<string, TensorToPack>>): { bytes: Uint8Array; entries: Record<string, TensorEntry> } {
  const entries: Record<string, TensorEntry> = {};
  let total = 0;
  for (const [name, tensor] of Object.entries(tensors)) {
    if (tensor.data.length !== sizeOf(tensor.shape)) throw new ModelLoadError(`Tensor '${name}' has ${tensor.data.length} values for shape [${tensor.shape.join(', ')}].`);
    const dtype = tensor.dtype ?? 'float32';
    entries[name] = { dtype, byteOffset: total, shape: [...tensor.shape] };
    total += Math.ceil((tensor.data.length * BYTES[dtype]) / 4) * 4;
  }
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  for (const [name, tensor] of Object.entries(tensors)) {
    const { dtype, byteOffset } = entries[name]!;
    tensor.data.forEach((value, index) => {
      if (dtype === 'float32') view.setFloat32(byteOffset + index * 4, value, true);
      else view.setUint16(byteOffset + index * 2, toFloat16Bits(value), true);
    });
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
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tensors = new Map<string, Tensor>();
  for (const [name, entry] of Object.entries(described as Record<string, unknown>)) {
    const { dtype = 'float32', byteOffset, shape } = (entry ?? {}) as { dtype?: unknown; byteOffset?: unknown; shape?: unknown };
    if (
      (dtype !== 'float32' && dtype !== 'float16') ||
      !Number.isInteger(byteOffset) ||
      (byteOffset as number) < 0 ||
      !Array.isArray(shape) ||
      !shape.every((dimension) => Number.isInteger(dimension) && dimension >= 0)
    ) {
      throw new ModelLoadError(`${where}: tensor '${name}' needs a dtype (float32 or float16), an integer "byteOffset" and a "shape" of integers.`);
    }
    const size = sizeOf(shape as number[]);
    const start = byteOffset as number;
    if (start + size * BYTES[dtype] > bytes.byteLength) throw new ModelLoadError(`${where}: tensor '${name}' runs past the end of ${TENSOR_FILE}.`);
    const data = new Float32Array(size);
    if (dtype === 'float32') for (let index = 0; index < size; index++) data[index] = view.getFloat32(start + index * 4, true);
    else for (let index = 0; index < size; index++) data[index] = fromFloat16Bits(view.getUint16(start + index * 2, true));
    tensors.set(name, { shape: shape as number[], data });
  }
  return tensors;
}

/** A tensor by name with the expected shape (-1 for any size along a dimension), or a load error naming what is wrong. */
export function requireTensor(tensors: ReadonlyMap<string, Tensor>, name: string, shape: readonly number[], where: string): Tensor {
  const tensor = tensors.get(name);
  if (!tensor) throw new ModelLoadError(`${where}: tensor '${name}' is missing.`);
  if (tensor.shape.length !== shape.length || shape.some((size, axis) => size >= 0 && tensor.shape[axis] !== size)) {
    throw new ModelLoadError(`${where}: tensor '${name}' has shape [${tensor.shape.join(', ')}], expected [${shape.map((size) => (size < 0 ? '*' : size)).join(', ')}].`);
  }
  return tensor;
}
