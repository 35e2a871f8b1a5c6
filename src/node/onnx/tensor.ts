import { InvalidInputError, ModelLoadError } from '../../core/index.ts';
/** A dense host tensor: what a TF.js weight becomes and what an ONNX initializer is written from. */
export type HostTensor =
  | { dtype: 'float32'; shape: number[]; data: Float32Array }
  | { dtype: 'int32'; shape: number[]; data: Int32Array }
  | { dtype: 'int64'; shape: number[]; data: BigInt64Array }
  | { dtype: 'int8'; shape: number[]; data: Int8Array }
  | { dtype: 'uint8'; shape: number[]; data: Uint8Array };

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((count, dim) => count * dim, 1);
}

export function float32(data: Float32Array | readonly number[], shape: number[]): HostTensor {
  return checked({ dtype: 'float32', shape, data: data instanceof Float32Array ? data : Float32Array.from(data) });
}

export function int64(values: readonly number[], shape: number[] = [values.length]): HostTensor {
  return checked({ dtype: 'int64', shape, data: BigInt64Array.from(values, (value) => BigInt(value)) });
}

export function int8(data: Int8Array, shape: number[]): HostTensor {
  return checked({ dtype: 'int8', shape, data });
}

/** Narrows a weight to float32: TF.js also stores int32 graph constants, and one where a float weight belongs is a bug. */
export function asFloat32(tensor: HostTensor): Extract<HostTensor, { dtype: 'float32' }> {
  if (tensor.dtype !== 'float32') throw new ModelLoadError(`expected a float32 tensor, got ${tensor.dtype}`);
  return tensor;
}

/** The same data viewed with another shape of equal size (numpy's reshape, or indexing away leading 1-dims). */
export function reshape<T extends HostTensor>(tensor: T, shape: number[]): T {
  if (elementCount(shape) !== tensor.data.length) {
    throw new InvalidInputError(`cannot reshape [${tensor.shape}] to [${shape}]`);
  }
  return { ...tensor, shape };
}

function checked(tensor: HostTensor): HostTensor {
  if (elementCount(tensor.shape) !== tensor.data.length) {
    throw new InvalidInputError(`shape [${tensor.shape}] does not hold ${tensor.data.length} values`);
  }
  return tensor;
}
