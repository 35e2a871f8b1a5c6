import { env } from '@huggingface/transformers';
import { isNode } from './runtime.ts';

/** The transformers.js settings one model load needs. */
export interface LoadSettings {
  localModelPath: string;
  allowRemoteModels: boolean;
  wasmPaths: { mjs: string; wasm: string };
}

let pendingLoads: Promise<unknown> = Promise.resolve();

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
  if (!isNode()) {
    // The page serves onnxruntime-web's files itself (never a CDN). transformers.js's WASM cache is keyed by URL
    // without ORT's version, so it is off: an upgrade must not meet a stale binary.
    env.useWasmCache = false;
    const wasm = env.backends.onnx.wasm;
    if (wasm) wasm.wasmPaths = { ...settings.wasmPaths };
  }
}
