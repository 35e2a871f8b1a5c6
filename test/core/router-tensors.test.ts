import { describe, expect, it } from 'vitest';
import { fromFloat16Bits, packTensors, readTensors, requireTensor, TENSOR_FILE, toFloat16Bits } from '../../src/core/router-tensors.ts';

describe('router tensors', () => {
  it('round-trips float32 exactly and float16 to about three significant digits', () => {
    const exact = Float32Array.of(1.5, -2.25, 3.1415927, 1e-3);
    const half = Float32Array.of(0.123456, -0.98765, 0.5, 1000.5, 0);
    const { bytes, entries } = packTensors({ exact: { shape: [2, 2], data: exact }, half: { dtype: 'float16', shape: [5], data: half } });
    expect(entries['half']).toEqual({ dtype: 'float16', byteOffset: 16, shape: [5] });
    const tensors = readTensors({ manifest: { tensors: entries }, files: new Map([[TENSOR_FILE, bytes]]) }, 'test');
    expect(Array.from(tensors.get('exact')!.data)).toEqual(Array.from(exact));
    Array.from(tensors.get('half')!.data).forEach((value, index) => expect(value).toBeCloseTo(half[index]!, 3 - Math.ceil(Math.log10(Math.abs(half[index]!) + 1))));
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
});
