import { describe, expect, it } from 'vitest';
import {
  fromFloat16Bits,
  packTensors,
  quantizeInt8Rows,
  readTensors,
  requireTensor,
  storedValues,
  TENSOR_FILE,
  TENSOR_FORMAT_VERSION,
  toFloat16Bits,
} from '../../src/core/router-tensors.ts';

describe('router tensors', () => {
  it('round-trips float32 exactly and float16 to about three significant digits', () => {
    const exact = Float32Array.of(1.5, -2.25, 3.25, 1e-3);
    const half = Float32Array.of(0.123456, -0.98765, 0.5, 1000.5, 0);
    const { bytes, entries } = packTensors({
      exact: { shape: [2, 2], data: exact },
      half: { dtype: 'float16', shape: [5], data: half },
    });
    expect(entries['half']).toEqual({ dtype: 'float16', byteOffset: 16, shape: [5] });
    const tensors = readTensors({ manifest: { tensors: entries }, files: new Map([[TENSOR_FILE, bytes]]) }, 'test');
    expect(Array.from(tensors.get('exact')!.data)).toEqual(Array.from(exact));
    Array.from(tensors.get('half')!.data).forEach((value, index) =>
      expect(value).toBeCloseTo(half[index]!, 3 - Math.ceil(Math.log10(Math.abs(half[index]!) + 1))),
    );
  });

  it('converts half-precision special values', () => {
    expect(fromFloat16Bits(toFloat16Bits(65504))).toBe(65504);
    expect(fromFloat16Bits(toFloat16Bits(1e6))).toBe(Infinity);
    expect(fromFloat16Bits(toFloat16Bits(-0.5))).toBe(-0.5);
    expect(fromFloat16Bits(toFloat16Bits(2 ** -20))).toBeCloseTo(2 ** -20, 9);
  });

  it('reports a tensor that runs past the file, a missing table and a wrong shape', () => {
    const { bytes, entries } = packTensors({ a: { shape: [2], data: Float32Array.of(1, 2) } });
    const files = new Map([[TENSOR_FILE, bytes.subarray(0, 4)]]);
    expect(() => readTensors({ manifest: { tensors: entries }, files }, 'w')).toThrow(/runs past the end/);
    expect(() => readTensors({ manifest: {}, files }, 'w')).toThrow(/no "tensors" table/);
    const tensors = readTensors({ manifest: { tensors: entries }, files: new Map([[TENSOR_FILE, bytes]]) }, 'w');
    expect(() => requireTensor(tensors, 'a', [3], 'w')).toThrow(/has shape \[2\], expected \[3\]/);
    expect(requireTensor(tensors, 'a', [-1], 'w').shape).toEqual([2]);
  });

  it("stores int8 with one scale per row, reads back what storedValues predicts, and within 1/254 of each row's largest value", () => {
    const data = Float32Array.of(0.5, -0.25, 0.1, /* row 1 */ 0, 0, 0, /* row 2 */ -3, 2, 1e-3);
    const tensor = { dtype: 'int8' as const, shape: [3, 3], data };
    const { bytes, entries } = packTensors({ before: { shape: [1], data: Float32Array.of(7) }, q: tensor });
    expect(entries['q']).toEqual({ dtype: 'int8', byteOffset: 4, shape: [3, 3], scalesByteOffset: 16 });
    expect(bytes.byteLength).toBe(16 + 3 * 4);
    const read = readTensors(
      { manifest: { tensorFormat: TENSOR_FORMAT_VERSION, tensors: entries }, files: new Map([[TENSOR_FILE, bytes]]) },
      'test',
    ).get('q')!;
    expect(Array.from(read.data)).toEqual(Array.from(storedValues(tensor)));
    const largest = [0.5, 0, 3];
    Array.from(read.data).forEach((value, index) =>
      expect(Math.abs(value - data[index]!)).toBeLessThanOrEqual(largest[Math.floor(index / 3)]! / 254 + 1e-7),
    );
    expect(Array.from(quantizeInt8Rows(data, 3).values.subarray(0, 3))).toEqual([127, -64, 25]);
  });

  it('reads a manifest without a format version as version 1, and refuses int8 there and unknown versions', () => {
    const { bytes, entries } = packTensors({
      half: { dtype: 'float16', shape: [1], data: Float32Array.of(1) },
      q: { dtype: 'int8', shape: [1, 2], data: Float32Array.of(1, -1) },
    });
    const files = new Map([[TENSOR_FILE, bytes]]);
    expect(readTensors({ manifest: { tensors: { half: entries['half'] } }, files }, 'w').get('half')!.data[0]).toBe(1);
    expect(() => readTensors({ manifest: { tensors: entries }, files }, 'w')).toThrow(
      /tensor 'q' needs a dtype of tensor format 1 \(float32, float16\)/,
    );
    expect(() => readTensors({ manifest: { tensorFormat: 99, tensors: entries }, files }, 'w')).toThrow(
      /tensor format 99, but this version of routellm-web reads formats 1 and 2: update routellm-web or retrain/,
    );
    expect(() =>
      readTensors(
        { manifest: { tensorFormat: 2, tensors: entries }, files: new Map([[TENSOR_FILE, bytes.subarray(0, 8)]]) },
        'w',
      ),
    ).toThrow(/row scales of tensor 'q' run past the end/);
  });
});
