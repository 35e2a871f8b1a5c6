import { createBenchmark, type Benchmark } from '../../src/core/benchmark.ts';

/** A small benchmark from [weakQuality, strongQuality] pairs; prompt i is 'p<i>' repeated i + 1 times. */
export function benchmarkOf(qualities: readonly (readonly [number, number])[], name = 'toy'): Benchmark {
  return createBenchmark({
    name,
    weakModel: 'weak-model',
    strongModel: 'strong-model',
    qualityUnit: '% correct',
    items: qualities.map(([weakQuality, strongQuality], index) => ({
      id: String(index),
      prompt: `p${index}`.repeat(index + 1),
      weakQuality,
      strongQuality,
    })),
  });
}
