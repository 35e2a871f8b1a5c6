import { appendFileSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCachedEmbedder } from '../../src/node/embedding-cache.ts';
import type { Embedder } from '../../src/core/router.ts';

/** A deterministic 3-d "embedding" that records every batch it is asked to embed. */
function fakeEmbedder(id = 'fake-encoder@1'): Embedder & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    id,
    dimensions: 3,
    calls,
    embed: async (texts) => {
      calls.push([...texts]);
      return texts.map((text) => Float32Array.from([text.length, text.codePointAt(0) ?? 0, 0.1]));
    },
  };
}

const freshDir = () => mkdtempSync(path.join(tmpdir(), 'routellm-embeddings-'));

describe('createCachedEmbedder', () => {
  it('embeds each distinct text once and serves repeats from the cache', async () => {
    const inner = fakeEmbedder();
    const cached = await createCachedEmbedder(inner, freshDir());
    expect(cached.id).toBe(inner.id);
    expect(cached.dimensions).toBe(3);
    const vectors = await cached.embed(['a', 'bb', 'a']);
    expect(inner.calls).toEqual([['a', 'bb']]);
    expect(vectors.map((vector) => [...vector])).toEqual([
      [1, 97, Math.fround(0.1)],
      [2, 98, Math.fround(0.1)],
      [1, 97, Math.fround(0.1)],
    ]);
    await cached.embed(['bb']);
    expect(inner.calls).toHaveLength(1);
    expect(cached.stats).toEqual({ hits: 2, misses: 2 });
  });

  it('persists across instances (a rerun), content-addressed by embedder id and text', async () => {
    const dir = freshDir();
    await (await createCachedEmbedder(fakeEmbedder(), dir)).embed(['first', 'second']);

    const rerun = fakeEmbedder();
    const cached = await createCachedEmbedder(rerun, dir);
    const [vector] = await cached.embed(['second']);
    expect(rerun.calls).toEqual([]);
    expect([...vector!]).toEqual([6, 115, Math.fround(0.1)]);

    const otherEncoder = fakeEmbedder('fake-encoder@2');
    await (await createCachedEmbedder(otherEncoder, dir)).embed(['second']);
    expect(otherEncoder.calls).toEqual([['second']]);
    expect(readdirSync(dir)).toHaveLength(2);
  });

  it('drops a torn last record (a run killed mid-write) and keeps the whole ones', async () => {
    const dir = freshDir();
    const first = await createCachedEmbedder(fakeEmbedder(), dir);
    await first.embed(['kept']);
    appendFileSync(first.file, Buffer.from([1, 2, 3, 4, 5]));
    const sizeWithTear = statSync(first.file).size;

    const inner = fakeEmbedder();
    const reopened = await createCachedEmbedder(inner, dir);
    expect(statSync(first.file).size).toBe(sizeWithTear - 5);
    await reopened.embed(['kept', 'new']);
    expect(inner.calls).toEqual([['new']]);
    const again = await createCachedEmbedder(fakeEmbedder(), dir);
    expect([...(await again.embed(['new']))[0]!]).toEqual([3, 110, Math.fround(0.1)]);
  });

  it('refuses an embedder that returns the wrong number or size of vectors', async () => {
    const broken: Embedder = { id: 'broken', dimensions: 3, embed: async () => [Float32Array.from([1, 2])] };
    await expect((await createCachedEmbedder(broken, freshDir())).embed(['x'])).rejects.toThrow(/not of 3 dimensions/);
  });

  it('refuses a cache file written for different dimensions', async () => {
    const dir = freshDir();
    await (await createCachedEmbedder(fakeEmbedder(), dir)).embed(['x']);
    const resized: Embedder = { ...fakeEmbedder(), dimensions: 4 };
    await expect(createCachedEmbedder(resized, dir)).rejects.toThrow(/delete it to rebuild/);
  });
});
