/**
 * The router worker's service as Node runs it, in the calling thread. Node's fetch reads no file: URLs and
 * transformers.js takes a model folder as a path, so folders given as file: URLs are read from disk.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { errorMessage, ModelLoadError, type WeightsFileReader } from '../core/index.ts';
import { httpWeightsReader } from './http-weights-reader.ts';
import { type LoadProgressEvent, type RouterInfo, WorkerService, type WorkerRouterOptions } from './worker-service.ts';

export class NodeWorkerService extends WorkerService {
  constructor() {
    super({
      weightsReader: (folderUrl, signal) =>
        folderUrl.startsWith('file:') ? fileWeightsReader(folderUrl) : httpWeightsReader(folderUrl, signal),
    });
  }

  override loadRouter(
    options: WorkerRouterOptions,
    onProgress?: (event: LoadProgressEvent) => void,
  ): Promise<RouterInfo> {
    const localModelPath = options.runtime?.localModelPath;
    if (!localModelPath?.startsWith('file:')) return super.loadRouter(options, onProgress);
    return super.loadRouter(
      { ...options, runtime: { ...options.runtime, localModelPath: folderPath(localModelPath) } },
      onProgress,
    );
  }
}

/** Reads weight files from a file: folder URL, as httpWeightsReader fetches them from an http one. */
function fileWeightsReader(folderUrl: string): WeightsFileReader {
  return async (file, onBytes) => {
    const url = new URL(file, folderUrl);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(url));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw new ModelLoadError(`${fileURLToPath(url)} cannot be read: ${errorMessage(error)}`, 'model_load_failed', {
        cause: error,
      });
    }
    onBytes(bytes.byteLength, bytes.byteLength);
    return bytes;
  };
}

function folderPath(folderUrl: string): string {
  const path = fileURLToPath(folderUrl);
  return /[\\/]$/.test(path) ? path : `${path}/`;
}
