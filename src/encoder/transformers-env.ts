import { env } from '@huggingface/transformers';
import type { EncoderDevice } from './encoder.ts';
import { type OrtBuildPaths, pinOrtBuild } from './ort-build.ts';
import { pageFiles } from './page-files.ts';
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
 * The local model folders (absolute URLs) this realm has loaded from. transformers.js's requests for files under
 * them go through pageFiles, like readModelFile's, so each file is downloaded once per page whoever asks for it.
 */
const localModelRoots = new Set<string>();

/**
 * transformers.js's fetch in browsers: plain GETs of local model files from pageFiles, everything else (the Hub, its
 * Range requests for file sizes) as it asks.
 */
function transformersFetch(input: string | URL, init?: RequestInit): Promise<Response> {
  const url = new URL(input, globalThis.location?.href).href;
  const plainGet = (init?.method ?? 'GET') === 'GET' && !new Headers(init?.headers).has('range');
  if (plainGet && [...localModelRoots].some((root) => url.startsWith(root))) return pageFiles.fetch(url);
  return fetch(input, init);
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
  // Only Hub downloads go into transformers.js's caches: local files are read fresh on each page (and once per page,
  // see transformersFetch), so a rebuilt model is never shadowed by a stale cached copy.
  env.useFSCache = settings.allowRemoteModels && isNode();
  env.useBrowserCache = settings.allowRemoteModels && typeof caches !== 'undefined';
  if (!isNode()) {
    localModelRoots.add(new URL(settings.localModelPath, globalThis.location?.href).href);
    env.fetch = transformersFetch;
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
