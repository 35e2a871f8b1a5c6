import { describe, expect, it } from 'vitest';
import { quantizePerChannel, roundHalfEven } from '../../../src/node/onnx/quantize.ts';

describe('roundHalfEven (numpy.round)', () => {
  it.each([
    [0.5, 0],
    [1.5, 2],
    [2.5, 2],
    [-0.5, 0],
    [-1.5, -2],
    [-2.5, -2],
    [2.4999, 2],
    [-2.6, -3],
    [7, 7],
  ])('%d -> %d', (value, rounded) => {
    expect(roundHalfEven(value)).toBe(rounded);
  });
});

describe('quantizePerChannel', () => {
  // 2 x 3, columns: [1, -4], [0.5, 0.25], [0, 0]
  const matrix = Float32Array.from([1, 0.5, 0, -4, 0.25, 0]);

  it('scales each column by max|w| / 127 and rounds w / scale (axis 1)', () => {
    const { values, scales } = quantizePerChannel(matrix, [2, 3], 1);
    expect([...scales]).toEqual([Math.fround(4 / 127), Math.fround(0.5 / 127), 1]);
    expect([...values]).toEqual([32, 127, 0, -127, 64, 0]);
  });

  it('scales each row (axis 0)', () => {
    const { values, scales } = quantizePerChannel(matrix, [2, 3], 0);
    expect([...scales]).toEqual([Math.fround(1 / 127), Math.fround(4 / 127)]);
    expect([...values]).toEqual([127, 64, 0, -127, 8, 0]);
  });

  it('reconstructs every weight within half a step', () => {
    const weights = Float32Array.from({ length: 64 }, (_, index) => Math.sin(index * 1.7) * (1 + (index % 8)));
    const { values, scales } = quantizePerChannel(weights, [8, 8], 1);
    weights.forEach((weight, index) => {
      const scale = scales[index % 8]!;
      expect(Math.abs(values[index]! * scale - weight)).toBeLessThanOrEqual(scale / 2 + 1e-6);
    });
  });

  it('rejects a shape that does not match the data', () => {
    expect(() => quantizePerChannel(matrix, [3, 3], 1)).toThrow(/2-D matrix/);
  });
});
