import { env } from '@huggingface/transformers';
import type { EncoderDevice } from './encoder.ts';
import { type OrtBuildPaths, pinOrtBuild } from './ort-build.ts';
import { isNode } from './runtime.ts';

/** The transformers.js settings one load needs. */
export interface LoadSettings {
  localModelPath: string;
  allowRemoteModels: boolean;
  /** Where a model load runs: its device picks onnxruntime-web's build among the page's files. Tokenizers need none. */
  model?: { device: EncoderDevice; wasmPaths: OrtBuildPaths };
}

/**
 * onnxruntime-web's own default is half the cores (at most 4), leaving the rest to the page. Routing runs in a
 * worker while the page waits for its decision, so it takes them all: on 2 cores, 10 ms per 60-token prompt
 * instead of 13.7 ms. Threads need a cross-origin isolated page; elsewhere onnxruntime-web runs one.
 */
const MAX_WASM_THREADS = 4;

let pendingLoads: Promise<unknown> = Promise.resolve();

/**
 * The local files this worker has read, by absolute URL, for the life of the page: a device probe, the encoder, its
 * id and its tokenizer each ask for the same config, tokenizer and model files, and without this every one of them
 * is fetched again (the int8 encoder three times on a cold load). A reload reads the files fresh, so a rebuilt model
 * is never shadowed by a stale copy.
 */
const readThisPage = new Map<string, { body: ArrayBuffer; headers: [string, string][] }>();
const pageKey = (url: string) => new URL(url, globalThis.location?.href).href;

/** transformers.js's cache interface over readThisPage (its `match` and `put`). */
const pageCache = {
  match: async (key: string): Promise<Response | undefined> => {
    const hit = readThisPage.get(pageKey(key));
    return hit && new Response(hit.body, { headers: hit.headers });
  },
  put: async (key: string, response: Response): Promise<void> => {
    readThisPage.set(pageKey(key), { body: await response.arrayBuffer(), headers: [...response.headers] });
  },
};

/** A local file's response in a browser, fetched at most once per page (see readThisPage). */
export async function fetchOncePerPage(url: string): Promise<Response> {
  const cached = await pageCache.match(url);
  if (cached) return cached;
  const response = await fetch(url);
  if (!response.ok || (response.headers.get('content-type') ?? '').includes('text/html')) return response;
  await pageCache.put(url, response);
  return (await pageCache.match(url))!;
}

/**
 * Runs a model or tokenizer load with these settings. transformers.js reads its configuration from one global `env`
 * while it loads, so loads are serialised and each one sets the whole configuration it depends on; inference itself
 * does not read `env`, so encoders created with different settings coexist.
 */
export function withLoadSettings<T>(settings: LoadSettings, load: () => Promise<T>): Promise<T> {
  const run = () => {
    applySettings(settings);
    return load();
  };
  const result = pendingLoads.then(run, run);
  pendingLoads = result.catch(() => undefined);
  return result;
}

function applySettings(settings: LoadSettings): void {
  env.allowLocalModels = true;
  env.localModelPath = settings.localModelPath;
  env.allowRemoteModels = settings.allowRemoteModels;
  // Only Hub downloads go into transformers.js's caches: local files are read fresh each time (the HTTP cache
  // revalidates them), so a rebuilt model is never shadowed by a stale cached copy.
  env.useFSCache = settings.allowRemoteModels && isNode();
  env.useBrowserCache = settings.allowRemoteModels && typeof caches !== 'undefined';
  // Local files in a browser: kept for the page (see pageCache); Hub downloads go to the browser's cache above.
  env.useCustomCache = !settings.allowRemoteModels && !isNode();
  env.customCache = pageCache;
  if (!isNode()) {
    // The page serves onnxruntime-web's files itself (never a CDN). transformers.js's WASM cache is keyed by URL
    // without ORT's version, so it is off: an upgrade must not meet a stale binary.
    env.useWasmCache = false;
    const wasm = env.backends.onnx.wasm;
    if (wasm && settings.model) {
      wasm.wasmPaths = { ...settings.model.wasmPaths[pinOrtBuild(settings.model.device)] };
      wasm.numThreads = Math.min(MAX_WASM_THREADS, globalThis.navigator?.hardwareConcurrency || 1);
    }
  }
}
