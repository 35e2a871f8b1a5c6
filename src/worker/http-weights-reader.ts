import { errorMessage, ModelLoadError, type WeightsFileReader } from '../core/index.ts';

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
    // Servers that answer unknown paths with the app's page (SPA fallbacks) say 200: no weight file is HTML.
    if ((response.headers.get('content-type') ?? '').includes('text/html')) {
      throw new ModelLoadError(
        `${folderUrl}${file} answered an HTML page where a router weight file should be. Serve the trained routers at ` +
          "the page's model base URL: with Vite, add the routellm-web/vite plugin; with any other bundler or host, " +
          'copy them there with `npx routellm-web assets <dir>`.',
        'model_not_found',
      );
    }
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
