import { ModelLoadError } from './errors.ts';
import type { RouterWeights } from './registry.ts';
import type { ProjectedEmbeddings } from './similarity.ts';

/**
 * How learned routers store their numbers: one little-endian binary file (`weights.bin`) that a browser fetches as
 * one ArrayBuffer, described by two manifest fields:
 *   "tensorFormat": 2,
 *   "tensors": { "<name>": { "dtype": "float32" | "float16" | "int8", "byteOffset": <n>, "shape": [...],
 *                            "scalesByteOffset": <n> (int8 only) } }
 * Format versions (a manifest without "tensorFormat" is version 1, the format before it was versioned):
 *   1: float32, and float16 (about three significant digits, far finer than the similarities it feeds).
 *   2: adds int8 with one scale per row (a row = the last dimension): value = int8 * scale, with the float32 scales
 *      at "scalesByteOffset". Symmetric and per row, so each row keeps 1/127 of its own largest value: enough for
 *      projected embeddings, whose nearest neighbours it preserves (measured in the routers' manifests).
 * Every tensor starts 4-byte aligned. Tensors come back as Float32Array. Everything else a router needs (model
 * names, feature scaling, calibration) is plain JSON in the manifest.
 */
export const TENSOR_FILE = 'weights.bin';

/** The format `packTensors` writes; `readTensors` reads it and every earlier version. */
export const TENSOR_FORMAT_VERSION = 2;

export type TensorDtype = 'float32' | 'float16' | 'int8';

/** The dtypes each format version may use. */
const DTYPES_BY_VERSION: Readonly<Record<number, readonly TensorDtype[]>> = {
  1: ['float32', 'float16'],
  2: ['float32', 'float16', 'int8'],
};

export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** A tensor to pack, optionally stored at lower precision. */
export interface TensorToPack extends Tensor {
  readonly dtype?: TensorDtype;
}

export interface TensorEntry {
  readonly dtype: TensorDtype;
  readonly byteOffset: number;
  readonly shape: readonly number[];
  /** int8 only: where its float32 row scales start. */
  readonly scalesByteOffset?: number;
}

const BYTES: Readonly<Record<TensorDtype, number>> = { float32: 4, float16: 2, int8: 1 };

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
    return sign | (remainder > halfway || (remainder === halfway && half & 1) ? half + 1 : half);
  }
  const half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  return sign | (remainder > 0x1000 || (remainder === 0x1000 && half & 1) ? half + 1 : half);
}

export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Rows of `rowLength` values as int8 with one scale per row (largest magnitude -> 127; an all-zero row has scale 0). */
export function quantizeInt8Rows(data: Float32Array, rowLength: number): { values: Int8Array; scales: Float32Array } {
  const rows = rowLength === 0 ? 0 : data.length / rowLength;
  const values = new Int8Array(data.length);
  const scales = new Float32Array(rows);
  for (let row = 0; row < rows; row++) {
    let largest = 0;
    for (let index = row * rowLength; index < (row + 1) * rowLength; index++)
      largest = Math.max(largest, Math.abs(data[index]!));
    const scale = Math.fround(largest / 127);
    scales[row] = scale;
    if (scale === 0) continue;
    for (let index = row * rowLength; index < (row + 1) * rowLength; index++)
      values[index] = Math.max(-127, Math.min(127, Math.round(data[index]! / scale)));
  }
  return { values, scales };
}

/**
 * The values `readTensors` will return for this tensor once packed: the data rounded through its dtype. Trainers
 * evaluate on these so that cross-validation sees the numbers that ship.
 */
export function storedValues(tensor: TensorToPack): Float32Array {
  const dtype = tensor.dtype ?? 'float32';
  if (dtype === 'float32') return Float32Array.from(tensor.data);
  if (dtype === 'float16') return Float32Array.from(tensor.data, (value) => fromFloat16Bits(toFloat16Bits(value)));
  const rowLength = tensor.shape.at(-1) ?? 1;
  const { values, scales } = quantizeInt8Rows(tensor.data, rowLength);
  return Float32Array.from(values, (value, index) => value * scales[Math.floor(index / rowLength)]!);
}

const align4 = (bytes: number) => Math.ceil(bytes / 4) * 4;

/**
 * Packs named tensors into the weights file and its manifest entries, in the given order (each 4-byte aligned),
 * in format TENSOR_FORMAT_VERSION (write it as the manifest's "tensorFormat").
 */
export function packTensors(tensors: Readonly<Record<string, TensorToPack>>): {
  bytes: Uint8Array;
  entries: Record<string, TensorEntry>;
} {
  const entries: Record<string, TensorEntry> = {};
  let total = 0;
  for (const [name, tensor] of Object.entries(tensors)) {
    if (tensor.data.length !== sizeOf(tensor.shape))
      throw new ModelLoadError(
        `Tensor '${name}' has ${tensor.data.length} values for shape [${tensor.shape.join(', ')}].`,
      );
    const dtype = tensor.dtype ?? 'float32';
    if (dtype === 'int8' && tensor.shape.length === 0)
      throw new ModelLoadError(`Tensor '${name}': int8 needs at least one dimension (its rows).`);
    const byteOffset = total;
    total += align4(tensor.data.length * BYTES[dtype]);
    if (dtype === 'int8') {
      entries[name] = { dtype, byteOffset, shape: [...tensor.shape], scalesByteOffset: total };
      total += 4 * rowCount(tensor.shape);
    } else {
      entries[name] = { dtype, byteOffset, shape: [...tensor.shape] };
    }
  }
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  for (const [name, tensor] of Object.entries(tensors)) {
    const { dtype, byteOffset, scalesByteOffset } = entries[name]!;
    if (dtype === 'int8') {
      const { values, scales } = quantizeInt8Rows(tensor.data, tensor.shape.at(-1)!);
      bytes.set(new Uint8Array(values.buffer), byteOffset);
      scales.forEach((scale, row) => view.setFloat32(scalesByteOffset! + row * 4, scale, true));
      continue;
    }
    tensor.data.forEach((value, index) => {
      if (dtype === 'float32') view.setFloat32(byteOffset + index * 4, value, true);
      else view.setUint16(byteOffset + index * 2, toFloat16Bits(value), true);
    });
  }
  return { bytes, entries };
}

function rowCount(shape: readonly number[]): number {
  return shape.length === 0 || shape.at(-1) === 0 ? 0 : sizeOf(shape) / shape.at(-1)!;
}

/** The format version a manifest declares ("tensorFormat"; absent = 1), or a load error for one this build cannot read. */
function tensorFormatOf(manifest: Readonly<Record<string, unknown>>, where: string): number {
  const version = manifest['tensorFormat'] ?? 1;
  if (typeof version !== 'number' || !(version in DTYPES_BY_VERSION)) {
    throw new ModelLoadError(
      `${where}: ${TENSOR_FILE} is in tensor format ${JSON.stringify(version)}, but this version of routellm-web reads formats ${Object.keys(DTYPES_BY_VERSION).join(' and ')}: update routellm-web or retrain the router.`,
    );
  }
  return version;
}

/** The named tensors of a router's weights (manifest `tensors` + `weights.bin`), checked against the format version and the file's size. */
export function readTensors(weights: RouterWeights, where: string): Map<string, Tensor> {
  const format = tensorFormatOf(weights.manifest, where);
  const described = weights.manifest['tensors'];
  if (typeof described !== 'object' || described === null || Array.isArray(described)) {
    throw new ModelLoadError(`${where}: the manifest has no "tensors" table.`);
  }
  const bytes = weights.files.get(TENSOR_FILE);
  if (!bytes)
    throw new ModelLoadError(`${where}: ${TENSOR_FILE} was not loaded (is it listed in the manifest's "files"?).`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const allowed = DTYPES_BY_VERSION[format]!;
  const tensors = new Map<string, Tensor>();
  for (const [name, entry] of Object.entries(described as Record<string, unknown>)) {
    const {
      dtype = 'float32',
      byteOffset,
      shape,
      scalesByteOffset,
    } = (entry ?? {}) as { dtype?: unknown; byteOffset?: unknown; shape?: unknown; scalesByteOffset?: unknown };
    if (
      !allowed.includes(dtype as TensorDtype) ||
      !Number.isInteger(byteOffset) ||
      (byteOffset as number) < 0 ||
      !Array.isArray(shape) ||
      !shape.every((dimension) => Number.isInteger(dimension) && dimension >= 0) ||
      (dtype === 'int8' &&
        (shape.length === 0 || !Number.isInteger(scalesByteOffset) || (scalesByteOffset as number) < 0))
    ) {
      throw new ModelLoadError(
        `${where}: tensor '${name}' needs a dtype of tensor format ${format} (${allowed.join(', ')}), an integer "byteOffset", a "shape" of integers, and for int8 at least one dimension and a "scalesByteOffset".`,
      );
    }
    const size = sizeOf(shape as number[]);
    const start = byteOffset as number;
    if (start + size * BYTES[dtype as TensorDtype] > bytes.byteLength)
      throw new ModelLoadError(`${where}: tensor '${name}' runs past the end of ${TENSOR_FILE}.`);
    const data = new Float32Array(size);
    if (dtype === 'float32')
      for (let index = 0; index < size; index++) data[index] = view.getFloat32(start + index * 4, true);
    else if (dtype === 'float16')
      for (let index = 0; index < size; index++) data[index] = fromFloat16Bits(view.getUint16(start + index * 2, true));
    else {
      const rowLength = (shape as number[]).at(-1)!;
      const rows = rowCount(shape as number[]);
      const scalesStart = scalesByteOffset as number;
      if (scalesStart + rows * 4 > bytes.byteLength)
        throw new ModelLoadError(`${where}: the row scales of tensor '${name}' run past the end of ${TENSOR_FILE}.`);
      for (let row = 0; row < rows; row++) {
        const scale = view.getFloat32(scalesStart + row * 4, true);
        for (let index = row * rowLength; index < (row + 1) * rowLength; index++)
          data[index] = view.getInt8(start + index) * scale;
      }
    }
    tensors.set(name, { shape: shape as number[], data });
  }
  return tensors;
}

/** A tensor by name with the expected shape (-1 for any size along a dimension), or a load error naming what is wrong. */
export function requireTensor(
  tensors: ReadonlyMap<string, Tensor>,
  name: string,
  shape: readonly number[],
  where: string,
): Tensor {
  const tensor = tensors.get(name);
  if (!tensor) throw new ModelLoadError(`${where}: tensor '${name}' is missing.`);
  if (tensor.shape.length !== shape.length || shape.some((size, axis) => size >= 0 && tensor.shape[axis] !== size)) {
    throw new ModelLoadError(
      `${where}: tensor '${name}' has shape [${tensor.shape.join(', ')}], expected [${shape.map((size) => (size < 0 ? '*' : size)).join(', ')}].`,
    );
  }
  return tensor;
}

/**
 * The training-prompt embeddings of a nearest-neighbour router: `projection` [encoder dimensions, components] and
 * `embeddings` [rows, components], the rows already projected (see ProjectedEmbeddings).
 */
export function requireProjectedEmbeddings(
  tensors: ReadonlyMap<string, Tensor>,
  inputDimensions: number,
  where: string,
): ProjectedEmbeddings {
  const projection = requireTensor(tensors, 'projection', [inputDimensions, -1], where);
  const dimensions = projection.shape[1]!;
  if (dimensions === 0) throw new ModelLoadError(`${where}: tensor 'projection' has no components.`);
  const rows = requireTensor(tensors, 'embeddings', [-1, dimensions], where);
  return { inputDimensions, dimensions, projection: projection.data, rows: rows.data };
}
