/**
 * The router-weights folder format, the one set of rules for every reader (fetch in the browser, fs in Node) and
 * for the writer, so weights that load in the browser load in `npm run eval` and the reverse. A folder
 * (public/routers/<router>/, served as /routers/<router>/) holds `manifest.json`, a JSON object naming its weight
 * files, each with its size and SHA-256:
 *   "files": { "weights.bin": { "bytes": 201552, "sha256": "<64 lowercase hex digits>" } }
 * and beside them the fields routers read (learned-router-manifest.ts) and, when trained, `calibration`.
 */
import { errorMessage, InvalidInputError, ModelLoadError } from '../errors.ts';
import type { RouterWeights } from '../registry.ts';
import { sha256Hex } from './sha256.ts';

export const MANIFEST_FILE = 'manifest.json';

/** One weight file as the manifest describes it. */
interface WeightFileEntry {
  readonly name: string;
  readonly bytes: number;
  /** Lowercase hex SHA-256 of the file. */
  readonly sha256: string;
}

/** Progress of reading one weights folder, per file (bytes; `total` is 0 while unknown). */
export interface WeightsProgressEvent {
  status: 'initiate' | 'progress' | 'done';
  file: string;
  loaded: number;
  total: number;
}

/**
 * Reads one file of a weights folder by name: undefined when the folder has no such file, a ModelLoadError when it
 * cannot be read. Calls `onBytes` as bytes arrive (`total` 0 while unknown).
 */
export type WeightsFileReader = (
  file: string,
  onBytes: (loaded: number, total: number) => void,
) => Promise<Uint8Array | undefined>;

/**
 * A plain file name (letters, digits, '.', '_', '-', starting with a letter or digit): never a path, a URL or
 * '..', so a manifest cannot make a reader look outside its folder, and the writer can create every name it allows.
 */
const WEIGHT_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Every runtime core runs in (browsers, workers, Node) has TextDecoder, but the plain ES2023 lib core is checked
 * against does not declare it (compare abort-signal.d.ts), so the one use core makes of it is typed here.
 */
const utf8 = new (
  globalThis as unknown as { TextDecoder: new () => { decode(bytes: Uint8Array): string } }
).TextDecoder();

function isWeightFileName(name: string): boolean {
  return WEIGHT_FILE_NAME.test(name) && name !== MANIFEST_FILE;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The weight files a manifest names (its `files` object), checked; `where` names the manifest in errors. */
function weightFileEntries(manifest: Readonly<Record<string, unknown>>, where: string): WeightFileEntry[] {
  const files = manifest['files'];
  if (!isRecord(files))
    throw new ModelLoadError(`${where}: "files" must be an object keyed by file name.`, 'model_load_failed');
  return Object.entries(files).map(([name, details]) => {
    if (!isWeightFileName(name))
      throw new ModelLoadError(`${where}: "${name}" is not a weight file name inside the folder.`, 'model_load_failed');
    const bytes = isRecord(details) ? details['bytes'] : undefined;
    const sha256 = isRecord(details) ? details['sha256'] : undefined;
    if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) {
      throw new ModelLoadError(`${where}: "${name}" does not give its size ("bytes").`, 'model_load_failed');
    }
    if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) {
      throw new ModelLoadError(
        `${where}: the sha256 of "${name}" is not 64 lowercase hex digits.`,
        'model_load_failed',
      );
    }
    return { name, bytes, sha256 };
  });
}

/** The manifest's `files` object for these weight files, as the writer records them. */
export function describeWeightFiles(
  files: ReadonlyMap<string, Uint8Array>,
): Record<string, { bytes: number; sha256: string }> {
  const described: Record<string, { bytes: number; sha256: string }> = {};
  for (const [name, bytes] of files) {
    if (!isWeightFileName(name))
      throw new InvalidInputError(
        `"${name}" is not a weight file name (letters, digits, '.', '_', '-'; not ${MANIFEST_FILE}).`,
      );
    described[name] = { bytes: bytes.byteLength, sha256: sha256Hex(bytes) };
  }
  return described;
}

/** What a trained router's manifest stores for calibrating a strong-call share without scoring prompts. */
export interface ManifestCalibration {
  /** Scores at evenly spaced quantiles 0..1 of the calibration prompts' scores (core's scoreQuantileTable). */
  readonly quantiles: number[];
  /** Which prompts were scored, when the manifest says. */
  readonly prompts: string | undefined;
}

/**
 * The manifest's `calibration` (undefined when it has none). A table that is there but unusable is an error rather
 * than no table, so a damaged manifest never silently calibrates some other way.
 */
export function manifestCalibration(
  manifest: Readonly<Record<string, unknown>>,
  where: string = MANIFEST_FILE,
): ManifestCalibration | undefined {
  const calibration = manifest['calibration'];
  if (calibration === undefined) return undefined;
  const quantiles = isRecord(calibration) ? calibration['quantiles'] : undefined;
  if (!isRecord(calibration) || !isQuantileTable(quantiles)) {
    throw new ModelLoadError(
      `${where}: calibration.quantiles must be a non-decreasing list of at least 2 finite numbers.`,
      'model_load_failed',
    );
  }
  const prompts = calibration['prompts'];
  if (prompts !== undefined && typeof prompts !== 'string')
    throw new ModelLoadError(`${where}: calibration.prompts must be text.`, 'model_load_failed');
  return { quantiles, prompts };
}

function isQuantileTable(value: unknown): value is number[] {
  return (
    Array.isArray(value) &&
    value.length >= 2 &&
    value.every(
      (entry, index) =>
        typeof entry === 'number' && Number.isFinite(entry) && (index === 0 || entry >= (value[index - 1] as number)),
    )
  );
}

/**
 * Reads a router's weights folder: the manifest, then every file it names, each checked against its size and
 * SHA-256. `where` is the folder as a prefix of its file names in errors (a URL or a path ending in '/'). A missing
 * manifest is 'model_not_found'; anything else wrong is 'model_load_failed'.
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
  if (!manifestBytes)
    throw new ModelLoadError(`No router weights at ${where} (${MANIFEST_FILE} is missing).`, 'model_not_found');
  let manifest: unknown;
  try {
    manifest = JSON.parse(utf8.decode(manifestBytes));
  } catch (error) {
    throw new ModelLoadError(`${where}${MANIFEST_FILE} is not valid JSON: ${errorMessage(error)}`, 'model_load_failed');
  }
  if (!isRecord(manifest))
    throw new ModelLoadError(`${where}${MANIFEST_FILE} must hold a JSON object.`, 'model_load_failed');
  const entries = weightFileEntries(manifest, `${where}${MANIFEST_FILE}`);
  manifestCalibration(manifest, `${where}${MANIFEST_FILE}`);

  const files = new Map<string, Uint8Array>();
  for (const entry of entries) {
    const bytes = await readTracked(entry.name);
    if (!bytes)
      throw new ModelLoadError(`${where}${entry.name}, named in ${MANIFEST_FILE}, is missing.`, 'model_load_failed');
    if (bytes.byteLength !== entry.bytes || sha256Hex(bytes) !== entry.sha256) {
      throw new ModelLoadError(
        `${where}${entry.name} does not match its size and SHA-256 in ${MANIFEST_FILE} (a stale or damaged copy).`,
        'model_load_failed',
      );
    }
    files.set(entry.name, bytes);
  }
  return { manifest, files };
}
