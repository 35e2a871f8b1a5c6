import { createHash } from 'node:crypto';
import { mkdir, open, readFile, truncate } from 'node:fs/promises';
import path from 'node:path';
import { type Embedder, type ScoreOptions, InvalidInputError, ModelLoadError } from '../core/index.ts';

/**
 * File layout (one append-only file per embedder, named by a digest of `embedder.id`):
 *   a header line `{"format":"routellm-embeddings/1","id":...,"dimensions":D}\n`, then records of
 *   32 bytes SHA-256 of the text's UTF-8 + D float32 little-endian.
 * One file (rather than one per text) keeps a cache of the 14,037 MMLU prompts to a single read; appending
 * whole records in one write keeps it valid when a run is killed, and a torn last record is cut off on load.
 */
const FORMAT = 'routellm-embeddings/1';
const KEY_BYTES = 32;

export interface CachedEmbedder extends Embedder {
  /** Texts served from the cache and texts sent to the wrapped embedder, since creation. */
  readonly stats: { readonly hits: number; readonly misses: number };
  /** The cache file for this embedder. */
  readonly file: string;
}

function textKey(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function cacheFile(directory: string, embedderId: string): string {
  return path.join(directory, `${createHash('sha256').update(embedderId, 'utf8').digest('hex').slice(0, 32)}.bin`);
}

async function loadVectors(file: string, embedder: Embedder): Promise<Map<string, Float32Array>> {
  const vectors = new Map<string, Float32Array>();
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return vectors;
    throw error;
  }
  const headerEnd = bytes.indexOf(0x0a);
  let header: { format?: unknown; id?: unknown; dimensions?: unknown } = {};
  try {
    header = JSON.parse(bytes.subarray(0, headerEnd).toString('utf8'));
  } catch {
    // Reported below as an unreadable file.
  }
  if (
    headerEnd < 0 ||
    header.format !== FORMAT ||
    header.id !== embedder.id ||
    header.dimensions !== embedder.dimensions
  ) {
    throw new ModelLoadError(
      `Embedding cache ${file} does not belong to embedder '${embedder.id}' (${embedder.dimensions} dimensions); delete it to rebuild.`,
    );
  }
  const recordBytes = KEY_BYTES + 4 * embedder.dimensions;
  const body = headerEnd + 1;
  const records = Math.floor((bytes.length - body) / recordBytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let record = 0; record < records; record++) {
    const offset = body + record * recordBytes;
    const vector = new Float32Array(embedder.dimensions);
    for (let d = 0; d < embedder.dimensions; d++) vector[d] = view.getFloat32(offset + KEY_BYTES + 4 * d, true);
    vectors.set(bytes.subarray(offset, offset + KEY_BYTES).toString('hex'), vector);
  }
  const wholeLength = body + records * recordBytes;
  if (wholeLength < bytes.length) await truncate(file, wholeLength);
  return vectors;
}

function encodeRecords(entries: readonly [string, Float32Array][], dimensions: number): Buffer {
  const recordBytes = KEY_BYTES + 4 * dimensions;
  const buffer = Buffer.alloc(entries.length * recordBytes);
  entries.forEach(([key, vector], index) => {
    const offset = index * recordBytes;
    buffer.write(key, offset, KEY_BYTES, 'hex');
    for (let d = 0; d < dimensions; d++) buffer.writeFloatLE(vector[d]!, offset + KEY_BYTES + 4 * d);
  });
  return buffer;
}

/**
 * Wraps an embedder with an on-disk cache content-addressed by `embedder.id` and text, so a rerun of an
 * evaluation or a scoring job embeds nothing it has embedded before. Vectors come back as stored (float32);
 * callers must not modify them. Duplicate texts in one call are embedded once.
 */
export async function createCachedEmbedder(embedder: Embedder, directory: string): Promise<CachedEmbedder> {
  const file = cacheFile(directory, embedder.id);
  const vectors = await loadVectors(file, embedder);
  let hits = 0;
  let misses = 0;

  async function append(entries: [string, Float32Array][]): Promise<void> {
    await mkdir(directory, { recursive: true });
    const handle = await open(file, 'a');
    try {
      const { size } = await handle.stat();
      const header =
        size === 0 ? `${JSON.stringify({ format: FORMAT, id: embedder.id, dimensions: embedder.dimensions })}\n` : '';
      await handle.write(Buffer.concat([Buffer.from(header, 'utf8'), encodeRecords(entries, embedder.dimensions)]));
    } finally {
      await handle.close();
    }
  }

  return {
    id: embedder.id,
    dimensions: embedder.dimensions,
    file,
    get stats() {
      return { hits, misses };
    },
    async embed(texts: readonly string[], options?: ScoreOptions): Promise<Float32Array[]> {
      const keys = texts.map(textKey);
      const missing = new Map<string, string>();
      keys.forEach((key, index) => {
        if (!vectors.has(key) && !missing.has(key)) missing.set(key, texts[index]!);
      });
      misses += missing.size;
      hits += texts.length - missing.size;
      if (missing.size > 0) {
        const fresh = await embedder.embed([...missing.values()], options);
        if (fresh.length !== missing.size || fresh.some((vector) => vector.length !== embedder.dimensions)) {
          throw new InvalidInputError(
            `Embedder '${embedder.id}' returned ${fresh.length} vectors for ${missing.size} texts, or vectors not of ${embedder.dimensions} dimensions.`,
          );
        }
        const entries = [...missing.keys()].map((key, index): [string, Float32Array] => [key, fresh[index]!]);
        await append(entries);
        for (const [key, vector] of entries) vectors.set(key, vector);
      }
      return keys.map((key) => vectors.get(key)!);
    },
  };
}
