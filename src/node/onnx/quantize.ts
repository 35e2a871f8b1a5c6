import { InvalidInputError } from '../../core/index.ts';
/**
 * Symmetric per-channel int8 quantisation of a 2-D float32 matrix, bit-exact with the numpy reference
 * (`scale = max|w| / 127` in float32, `q = clip(round_half_even(w / scale), -127, 127)`).
 * Every float32 operation is done in double and rounded once with Math.fround, which gives the correctly rounded
 * float32 result for a single division, as numpy does.
 */
export interface QuantizedMatrix {
  values: Int8Array;
  /** One scale per channel: per column for axis 1, per row for axis 0. */
  scales: Float32Array;
}

export function quantizePerChannel(data: Float32Array, shape: readonly number[], axis: 0 | 1): QuantizedMatrix {
  const [rows, columns] = shape;
  if (shape.length !== 2 || rows === undefined || columns === undefined || rows * columns !== data.length) {
    throw new InvalidInputError(`quantizePerChannel expects a 2-D matrix, got shape [${shape}]`);
  }
  const channelOf = axis === 1 ? (index: number) => index % columns : (index: number) => Math.floor(index / columns);
  const scales = new Float32Array(axis === 1 ? columns : rows);
  for (let index = 0; index < data.length; index++) {
    const channel = channelOf(index);
    scales[channel] = Math.max(scales[channel]!, Math.abs(data[index]!));
  }
  for (let channel = 0; channel < scales.length; channel++) {
    const scale = Math.fround(scales[channel]! / 127);
    scales[channel] = scale === 0 ? 1 : scale;
  }
  const values = new Int8Array(data.length);
  for (let index = 0; index < data.length; index++) {
    const ratio = Math.fround(data[index]! / scales[channelOf(index)]!);
    values[index] = Math.min(127, Math.max(-127, roundHalfEven(ratio)));
  }
  return { values, scales };
}

/** numpy.round: ties go to the even neighbour (Math.round sends them up). */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}
