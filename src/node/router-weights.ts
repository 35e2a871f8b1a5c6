import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage, ModelLoadError } from '../core/index.ts';
import type { RouterWeights } from '../core/index.ts';
import { MANIFEST_FILE, describeWeightFiles, readRouterWeights, type WeightsFileReader } from '../core/index.ts';
import { PROJECT_ROOT } from './paths.ts';

/** Where trained routers are committed: public/routers/<router>/ (served to browsers as /routers/<router>/). */
export const DEFAULT_ROUTERS_DIR = path.join(PROJECT_ROOT, 'public', 'routers');

/** Reads weight files from a folder on disk, as httpWeightsReader fetches them from a folder URL. */
export function fsWeightsReader(folder: string): WeightsFileReader {
  return async (file, onBytes) => {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path.join(folder, file)));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw new ModelLoadError(`${path.join(folder, file)} cannot be read: ${errorMessage(error)}`, 'model_load_failed', { cause: error });
    }
    onBytes(bytes.byteLength, bytes.byteLength);
    return bytes;
  };
}

/** Reads a router weights folder from disk by the same rules as the browser (core's readRouterWeights). */
export function readRouterFolder(folder: string): Promise<RouterWeights> {
  return readRouterWeights(fsWeightsReader(folder), path.join(folder, path.sep));
}

/**
 * Writes a router folder: the weight files, then manifest.json with each file's size and SHA-256 under `files`.
 * Written into a temporary sibling and renamed over the target, so a failed run leaves the old weights intact.
 */
export async function writeRouterFolder(
  folder: string,
  manifest: Readonly<Record<string, unknown>>,
  files: ReadonlyMap<string, Uint8Array | string>,
): Promise<Record<string, unknown>> {
  const encoded = new Map([...files].map(([name, content]) => [name, typeof content === 'string' ? new TextEncoder().encode(content) : content]));
  const complete = { ...manifest, files: describeWeightFiles(encoded) };
  const staging = `${folder}.partial`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  for (const [name, bytes] of encoded) await writeFile(path.join(staging, name), bytes);
  await writeFile(path.join(staging, MANIFEST_FILE), `${JSON.stringify(complete, null, 1)}\n`);
  await rm(folder, { recursive: true, force: true });
  await mkdir(path.dirname(folder), { recursive: true });
  await rename(staging, folder);
  return complete;
}
