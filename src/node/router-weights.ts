import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  errorMessage,
  ModelLoadError,
  type RouterWeights,
  MANIFEST_FILE,
  describeWeightFiles,
  readRouterWeights,
  type WeightsFileReader,
} from '../core/index.ts';
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
      throw new ModelLoadError(
        `${path.join(folder, file)} cannot be read: ${errorMessage(error)}`,
        'model_load_failed',
        { cause: error },
      );
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
 * Writes a router folder's files into `folder` (created): the weight files, any `extras` (LICENSE.md, README.md:
 * written but not listed, so a reader does not fetch them), then manifest.json with each weight file's size and
 * SHA-256 under `files`. Returns the manifest written.
 */
export async function stageRouterFolder(
  folder: string,
  manifest: Readonly<Record<string, unknown>>,
  files: ReadonlyMap<string, Uint8Array | string>,
  extras: ReadonlyMap<string, string> = new Map(),
): Promise<Record<string, unknown>> {
  const encoded = new Map(
    [...files].map(([name, content]) => [
      name,
      typeof content === 'string' ? new TextEncoder().encode(content) : content,
    ]),
  );
  const complete = { ...manifest, files: describeWeightFiles(encoded) };
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  for (const [name, bytes] of encoded) await writeFile(path.join(folder, name), bytes);
  for (const [name, text] of extras) await writeFile(path.join(folder, name), text);
  await writeFile(path.join(folder, MANIFEST_FILE), `${JSON.stringify(complete, null, 1)}\n`);
  return complete;
}

/** The sibling folder a complete router folder is staged in before it replaces `folder`. */
export function stagingFolder(folder: string): string {
  return `${folder}.partial`;
}

/**
 * Puts a complete staged folder in place of `folder`: the old folder is renamed aside, the staged one renamed in,
 * then the old one removed. A run stopped before the first rename leaves the old folder untouched; between the two
 * renames (microseconds) the old folder is at `<folder>.previous`, complete.
 */
export async function replaceFolder(staged: string, folder: string): Promise<void> {
  const previous = `${folder}.previous`;
  await rm(previous, { recursive: true, force: true });
  await mkdir(path.dirname(folder), { recursive: true });
  let hadPrevious = true;
  try {
    await rename(folder, previous);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    hadPrevious = false;
  }
  await rename(staged, folder);
  if (hadPrevious) await rm(previous, { recursive: true, force: true });
}

/**
 * Writes a router folder (see stageRouterFolder) into a temporary sibling and renames it over the target, so a
 * failed or interrupted run leaves the old weights intact.
 */
export async function writeRouterFolder(
  folder: string,
  manifest: Readonly<Record<string, unknown>>,
  files: ReadonlyMap<string, Uint8Array | string>,
  extras: ReadonlyMap<string, string> = new Map(),
): Promise<Record<string, unknown>> {
  const staging = stagingFolder(folder);
  const complete = await stageRouterFolder(staging, manifest, files, extras);
  await replaceFolder(staging, folder);
  return complete;
}
