import { env } from '@huggingface/transformers';
import { ModelLoadError } from '../core/index.ts';
import { isNode } from './runtime.ts';
import { pageFiles } from './page-files.ts';

/** Where a model's files are, in the terms transformers.js loads them by. */
export interface ModelLocation {
  /** Identity of the model independent of where it is served (same in Node and browsers): hub id or folder name. */
  name: string;
  /** Passed to from_pretrained: a name under `localModelPath`. */
  modelId: string;
  /** Folder (Node) or URL (browser) the model folder sits in. */
  localModelPath: string;
  /** Whether transformers.js may fall back to the Hugging Face Hub. */
  allowRemoteModels: boolean;
}

/** Browsers fetch local models from the page's own origin (the project serves public/ at the root). */
const BROWSER_MODELS_URL = '/models/';

/**
 * `model` is a name under localModelPath, a Hub id ('org/name'), or the URL or folder path of one model folder
 * (absolute, or starting with ./ or ../). A URL or path is split into its parent (the local model path) and its
 * last segment (the name), so a model has the same name wherever it is served from.
 */
export function resolveModelLocation(
  model: string,
  options: { localModelPath?: string; allowRemoteModels: boolean },
): ModelLocation {
  const explicitLocation = /^(https?:|file:)/.test(model) || /^(\/|\.\.?\/|[A-Za-z]:[\\/])/.test(model);
  if (!explicitLocation) {
    return {
      name: model,
      modelId: model,
      localModelPath: options.localModelPath ?? defaultLocalModelPath(),
      allowRemoteModels: options.allowRemoteModels,
    };
  }
  const folder = model.startsWith('file:') ? filePathOf(new URL(model)) : model.replace(/[\\/]+$/, '');
  const split = Math.max(folder.lastIndexOf('/'), folder.lastIndexOf('\\'));
  const name = folder.slice(split + 1);
  if (name === '' || name === '.' || name === '..')
    throw new ModelLoadError(`"${model}" does not name a model folder.`, 'model_not_found');
  // An explicit location is the whole answer: no Hub fallback for it.
  return { name, modelId: name, localModelPath: folder.slice(0, split + 1), allowRemoteModels: false };
}

/** <project>/public/models/ in Node (next to this source file, so any working directory works); /models/ in browsers. */
function defaultLocalModelPath(): string {
  if (!isNode()) return BROWSER_MODELS_URL;
  // Built at run time rather than as a `new URL('literal', import.meta.url)` asset reference, which bundlers rewrite.
  return filePathOf(new URL(['..', '..', 'public', 'models', ''].join('/'), import.meta.url));
}

function filePathOf(url: URL): string {
  const path = decodeURIComponent(url.pathname);
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
}

/**
 * The bytes of one model file, read the way transformers.js found it: the local folder or URL first, then (when
 * the Hub is allowed) transformers.js's download cache, then the Hub itself.
 */
export async function readModelFile(location: ModelLocation, file: string): Promise<Uint8Array> {
  const localPath = joinPath(location.localModelPath, location.modelId, file);
  const local = await readLocal(localPath);
  if (local instanceof Uint8Array) return local;
  if (location.allowRemoteModels) {
    const remoteUrl = joinPath(
      env.remoteHost,
      env.remotePathTemplate.replaceAll('{model}', location.modelId).replaceAll('{revision}', 'main'),
      file,
    );
    const cached = await readDownloadCache(location.modelId, file, remoteUrl);
    if (cached) return cached;
    const response = await fetch(remoteUrl);
    if (response.ok) return new Uint8Array(await response.arrayBuffer());
  }
  const where = location.allowRemoteModels ? `${local} and the Hugging Face Hub does not have it` : local;
  throw new ModelLoadError(`${where}.${isNode() ? '' : ` ${SERVE_MODELS_HINT}`}`, 'model_not_found');
}

/** What a page that lacks the model files should do, in every error about them. */
const SERVE_MODELS_HINT =
  "Serve the files routing fetches at the page's model base URL: with Vite, add the routellm-web/vite plugin; " +
  'with any other bundler or host, copy them there with `npx routellm-web assets <dir>`.';

// A variable, so bundlers leave this Node-only import to run time.
const NODE_FS = 'node:fs/promises';
type NodeFs = typeof import('node:fs/promises');

/** The file's bytes, or why it is missing (a sentence naming where it was looked for). */
async function readLocal(pathOrUrl: string): Promise<Uint8Array | string> {
  if (isNode() && !/^https?:/.test(pathOrUrl)) {
    const fs = (await import(/* @vite-ignore */ NODE_FS)) as NodeFs;
    return fs.readFile(pathOrUrl).then(
      (buffer) => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength),
      () => `${pathOrUrl} does not exist`,
    );
  }
  // A network failure propagates: it means "could not check", not "missing".
  const response = await pageFiles.fetch(pathOrUrl);
  if (!response.ok) return `${pathOrUrl} answered HTTP ${response.status}`;
  // Servers that answer unknown paths with the app's page (SPA fallbacks) say 200: no model file is HTML.
  if ((response.headers.get('content-type') ?? '').includes('text/html')) {
    throw new ModelLoadError(
      `${pathOrUrl} answered an HTML page where a model file should be. ${SERVE_MODELS_HINT}`,
      'model_not_found',
    );
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** transformers.js keeps Hub downloads in the Cache API (browsers, keyed by URL) or under env.cacheDir (Node). */
async function readDownloadCache(modelId: string, file: string, remoteUrl: string): Promise<Uint8Array | undefined> {
  if (isNode()) {
    const cached = env.cacheDir ? await readLocal(joinPath(env.cacheDir, modelId, file)) : undefined;
    return cached instanceof Uint8Array ? cached : undefined;
  }
  if (typeof caches === 'undefined') return undefined;
  const response = await (await caches.open(env.cacheKey)).match(remoteUrl);
  return response ? new Uint8Array(await response.arrayBuffer()) : undefined;
}

/** transformers.js's pathJoin: one slash between parts, leading and trailing slashes of the ends kept. */
function joinPath(...parts: string[]): string {
  return parts
    .filter((part) => part !== '')
    .map((part, index, all) => {
      let trimmed = index > 0 ? part.replace(/^\/+/, '') : part;
      if (index < all.length - 1) trimmed = trimmed.replace(/\/+$/, '');
      return trimmed;
    })
    .join('/');
}
