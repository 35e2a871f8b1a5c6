import type { Embedder } from '../../src/core/router.ts';

/**
 * A deterministic embedder for router tests: each text maps to a unit vector chosen by the caller (by exact text),
 * so a test decides which training prompts are a query's neighbours.
 */
export function fakeEmbedder(
  vectors: Readonly<Record<string, readonly number[]>>,
  id = 'fake-encoder@test',
): Embedder & { calls: number } {
  const dimensions = Object.values(vectors)[0]!.length;
  const embedder = {
    id,
    dimensions,
    calls: 0,
    async embed(texts: readonly string[]) {
      embedder.calls++;
      return texts.map((text) => {
        const vector = vectors[text];
        if (!vector) throw new Error(`fakeEmbedder has no vector for '${text}'`);
        const norm = Math.hypot(...vector);
        return Float32Array.from(vector, (value) => value / norm);
      });
    },
  };
  return embedder;
}
