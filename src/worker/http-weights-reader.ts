import { errorMessage, ModelLoadError } from '../core/index.ts';
import type { WeightsFileReader } from '../core/index.ts';

/** Reads weight files over HTTP from a folder URL (ending in '/'), streaming so progress can be reported. */
export function httpWeightsReader(folderUrl: string, signal?: AbortSignal): WeightsFileReader {
  return async (file, onBytes) => {
    let response: Response;
    try {
      response = await fetch(new URL(file, folderUrl), signal ? { signal } : {});
    } catch (error) {
      throw new ModelLoadError(`Could not fetch ${folderUrl}${file}: ${errorMessage(error)}`, 'model_load_failed', {
        cause: error,
      });
    }
    if (response.status === 404) return undefined;
    if (!response.ok)
      throw new ModelLoadError(
        `Fetching ${folderUrl}${file} failed with HTTP ${response.status}.`,
        'model_load_failed',
      );
    // A dev server answers a missing file with its HTML page under some configurations; that is not a weight file.
    if (file.endsWith('.json') && (response.headers.get('content-type') ?? '').includes('text/html')) return undefined;
    const total = Number(response.headers.get('content-length') ?? 0);
    if (!response.body) return new Uint8Array(await response.arrayBuffer());
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.byteLength;
      onBytes(loaded, total);
    }
    const bytes = new Uint8Array(loaded);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return bytes;
  };
}
