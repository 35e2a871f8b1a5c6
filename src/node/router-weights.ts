import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ModelLoadError } from '../core/errors.ts';
import type { RouterWeights } from '../core/registry.ts';
import { PROJECT_ROOT } from './paths.ts';

/** Where trained routers are committed: public/routers/<router>/ (served to browsers as /routers/<router>/). */
export const DEFAULT_ROUTERS_DIR = path.join(PROJECT_ROOT, 'public', 'routers');

export const MANIFEST_FILE = 'manifest.json';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Reads a router weights folder from disk: manifest.json and every file its `files` object names, each checked
 * against its SHA-256 (the same layout browsers fetch from /routers/<router>/).
 */
export async function readRouterFolder(folder: string): Promise<RouterWeights> {
  let manifestText: string;
  try {
    manifestText = await readFile(path.join(folder, MANIFEST_FILE), 'utf8');
  } catch (error) {
    throw new ModelLoadError(
      `No router weights in ${folder} (${MANIFEST_FILE} is missing): train them with npm run train.`,
      'model_not_found',
      { cause: error },
    );
  }
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(manifestText) as Record<string, unknown>;
  } catch (error) {
    throw new ModelLoadError(`${path.join(folder, MANIFEST_FILE)} is not valid JSON: ${(error as Error).message}`);
  }
  const described = manifest['files'];
  if (typeof described !== 'object' || described === null || Array.isArray(described)) {
    throw new ModelLoadError(`${path.join(folder, MANIFEST_FILE)}: "files" must be an object keyed by file name.`);
  }
  const files = new Map<string, Uint8Array>();
  for (const [name, details] of Object.entries(described as Record<string, { sha256?: unknown }>)) {
    if (path.basename(name) !== name) throw new ModelLoadError(`${folder}: "${name}" is not a file name inside the folder.`);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path.join(folder, name)));
    } catch (error) {
      throw new ModelLoadError(`${path.join(folder, name)}, named in ${MANIFEST_FILE}, cannot be read.`, 'model_load_failed', { cause: error });
    }
    if (typeof details?.sha256 === 'string' && details.sha256 !== sha256Hex(bytes)) {
      throw new ModelLoadError(`${path.join(folder, name)} does not match the SHA-256 in ${MANIFEST_FILE} (a stale or damaged copy).`);
    }
    files.set(name, bytes);
  }
  return { manifest, files };
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
  const staging = `${folder}.partial`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const described: Record<string, { bytes: number; sha256: string }> = {};
  for (const [name, content] of files) {
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    await writeFile(path.join(staging, name), bytes);
    described[name] = { bytes: bytes.byteLength, sha256: sha256Hex(bytes) };
  }
  const complete = { ...manifest, files: described };
  await writeFile(path.join(staging, MANIFEST_FILE), `${JSON.stringify(complete, null, 1)}\n`);
  await rm(folder, { recursive: true, force: true });
  await mkdir(path.dirname(folder), { recursive: true });
  await rename(staging, folder);
  return complete;
}
