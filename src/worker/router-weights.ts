import { ModelLoadError } from '../core/errors.ts';
import type { RouterWeights } from '../core/registry.ts';

/** Every router weights folder holds this file; it names the weight files next to it. */
export const MANIFEST_FILE = 'manifest.json';

/** One weight file as the manifest describes it. */
export interface WeightFileEntry {
  readonly name: string;
  /** Hex SHA-256 of the file, checked after reading when the manifest gives it. */
  readonly sha256?: string;
}

/** Progress of reading one weights folder, per file (bytes; `total` is 0 while unknown). */
export interface WeightsProgressEvent {
  status: 'initiate' | 'progress' | 'done';
  file: string;
  loaded: number;
  total: number;
}

/** Reads one file of a weights folder; undefined when the file does not exist. */
export type WeightsFileReader = (file: string, onBytes: (loaded: number, total: number) => void) => Promise<Uint8Array | undefined>;

/** A plain file name inside the folder: no directories above it, no scheme, no absolute path. */
const SAFE_FILE_NAME = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;

/**
 * The weight files a manifest names, from its `files` field: a list of file names, or an object keyed by file
 * name whose values may carry a `sha256`. Names must stay inside the folder, so a manifest can never make the
 * loader read elsewhere.
 */
export function weightFileEntries(manifest: Readonly<Record<string, unknown>>, where: string): WeightFileEntry[] {
  const files = manifest['files'];
  if (files === undefined) return [];
  let entries: WeightFileEntry[];
  if (Array.isArray(files)) {
    entries = files.map((name) => {
      if (typeof name !== 'string') throw new ModelLoadError(`${where}: "files" must list file names.`, 'model_load_failed');
      return { name };
    });
  } else if (typeof files === 'object' && files !== null) {
    entries = Object.entries(files).map(([name, details]) => {
      const sha256 = typeof details === 'object' && details !== null ? (details as Record<string, unknown>)['sha256'] : undefined;
      if (sha256 !== undefined && (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(sha256))) {
        throw new ModelLoadError(`${where}: the sha256 of "${name}" is not 64 hex digits.`, 'model_load_failed');
      }
      return sha256 === undefined ? { name } : { name, sha256: sha256.toLowerCase() };
    });
  } else {
    throw new ModelLoadError(`${where}: "files" must be a list of file names or an object keyed by file name.`, 'model_load_failed');
  }
  for (const { name } of entries) {
    if (!SAFE_FILE_NAME.test(name) || name === MANIFEST_FILE) {
      throw new ModelLoadError(`${where}: "${name}" is not a weight file name inside the folder.`, 'model_load_failed');
    }
  }
  return entries;
}

/**
 * Reads a router's weights folder: `manifest.json`, then every file it names (checking each file's SHA-256 when
 * the manifest gives one). `where` names the folder in errors. A missing manifest is 'model_not_found'; anything
 * else wrong is 'model_load_failed'.
 */
export async function readRouterWeights(
  read: WeightsFileReader,
  where: string,
  onProgress?: (event: WeightsProgressEvent) => void,
): Promise<RouterWeights> {
  const readTracked = async (file: string) => {
    onProgress?.({ status: 'initiate', file, loaded: 0, total: 0 });
    const bytes = await read(file, (loaded, total) => onProgress?.({ status: 'progress', file, loaded, total }));
    if (bytes) onProgress?.({ status: 'done', file, loaded: bytes.byteLength, total: bytes.byteLength });
    return bytes;
  };

  const manifestBytes = await readTracked(MANIFEST_FILE);
  if (!manifestBytes) throw new ModelLoadError(`No router weights at ${where} (${MANIFEST_FILE} is missing).`, 'model_not_found');
  let manifest: unknown;
  try {
    manifest = JSON.parse(new TextDecoder().decode(manifestBytes));
  } catch (error) {
    throw new ModelLoadError(`${where}${MANIFEST_FILE} is not valid JSON: ${(error as Error).message}`, 'model_load_failed');
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new ModelLoadError(`${where}${MANIFEST_FILE} must hold a JSON object.`, 'model_load_failed');
  }
  const record = manifest as Record<string, unknown>;

  const files = new Map<string, Uint8Array>();
  for (const entry of weightFileEntries(record, `${where}${MANIFEST_FILE}`)) {
    const bytes = await readTracked(entry.name);
    if (!bytes) throw new ModelLoadError(`${where}${entry.name}, named in ${MANIFEST_FILE}, is missing.`, 'model_load_failed');
    if (entry.sha256 !== undefined && (await sha256Hex(bytes)) !== entry.sha256) {
      throw new ModelLoadError(`${where}${entry.name} does not match the SHA-256 in ${MANIFEST_FILE} (a stale or damaged copy).`, 'model_load_failed');
    }
    files.set(entry.name, bytes);
  }
  return { manifest: record, files };
}

/**
 * The score quantile table a manifest stores for calibration (`calibration.quantiles`: scores at evenly spaced
 * quantiles 0..1, as core's scoreQuantileTable writes them), or undefined when it has none.
 */
export function manifestQuantileTable(manifest: Readonly<Record<string, unknown>>): number[] | undefined {
  const calibration = manifest['calibration'];
  if (typeof calibration !== 'object' || calibration === null) return undefined;
  const quantiles = (calibration as Record<string, unknown>)['quantiles'];
  if (!Array.isArray(quantiles) || quantiles.length < 2 || !quantiles.every((value) => typeof value === 'number' && Number.isFinite(value))) {
    return undefined;
  }
  return quantiles as number[];
}

/** Reads weight files over HTTP from a folder URL (ending in '/'), streaming so progress can be reported. */
export function httpWeightsReader(folderUrl: string, signal?: AbortSignal): WeightsFileReader {
  return async (file, onBytes) => {
    let response: Response;
    try {
      response = await fetch(new URL(file, folderUrl), signal ? { signal } : {});
    } catch (error) {
      throw new ModelLoadError(`Could not fetch ${folderUrl}${file}: ${(error as Error).message}`, 'model_load_failed', { cause: error });
    }
    if (response.status === 404) return undefined;
    if (!response.ok) throw new ModelLoadError(`Fetching ${folderUrl}${file} failed with HTTP ${response.status}.`, 'model_load_failed');
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

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
