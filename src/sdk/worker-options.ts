import { InvalidInputError } from '../core/index.ts';
import type { EncoderDtype, OverflowStrategy } from '../encoder/index.ts';
import type { WorkerRouterOptions } from '../worker/index.ts';

const DEVICES = ['auto', 'wasm', 'webgpu'] as const;

/** What every router the SDK loads in the worker is configured with (two-model and N-model routers alike). */
export interface WorkerLoadSettings {
  /** Where the encoder runs: 'auto' (default: WebGPU when it is correct and faster, else WASM), 'wasm' or 'webgpu'. */
  device?: 'auto' | 'wasm' | 'webgpu';
  /**
   * Where the app serves model files: `models/` (encoders), `routers/<name>/` (router weights) and `ort/` (ONNX
   * Runtime's WASM) under this URL. Default: the site root.
   */
  modelBaseUrl?: string | URL;
  /**
   * The folder of this router's weights (`manifest.json` and the files it names), absolute or relative to the page:
   * any folder `npm run train --out` wrote, served as it is (e.g. `'/my-routers/support-desk/'`). The router named
   * by `router` must be the one its manifest names. Default: `<modelBaseUrl>/routers/<name>/`.
   */
  weightsUrl?: string | URL;
  /**
   * The encoder of routers that embed prompts. Default: what the router's manifest names, else USE-lite int8 with
   * long prompts pooled over 128-token windows, as the learned routers are trained.
   */
  encoder?: { model?: string; dtype?: EncoderDtype; overflow?: OverflowStrategy };
  /** The `classifier` router's model (default: routellm-classifier, built by `npm run build:classifier`). */
  classifier?: { model?: string; dtype?: EncoderDtype };
  /** The `causal-llm` router's model (default: a ~0.5B instruct model from the Hugging Face Hub; needs allowRemoteModels). */
  causalLm?: { model?: string; dtype?: EncoderDtype };
  /** Let models missing under `<modelBaseUrl>/models/` download from the Hugging Face Hub (default false: fully offline). */
  allowRemoteModels?: boolean;
  /** Seed of stochastic routers (`random`). */
  seed?: number;
}

/** The worker's options for router `name`: weights under `<modelBaseUrl>/routers/<name>/` unless `weightsUrl` says. */
export function workerRouterOptions(name: string, options: WorkerLoadSettings): WorkerRouterOptions {
  const device = options.device ?? 'auto';
  if (!DEVICES.includes(device))
    throw new InvalidInputError(`options.device must be one of ${DEVICES.join(', ')}, got ${JSON.stringify(device)}.`);
  if (options.seed !== undefined && !Number.isInteger(options.seed))
    throw new InvalidInputError(`options.seed must be an integer, got ${options.seed}.`);
  const base = folderUrl(options.modelBaseUrl ?? '/', 'modelBaseUrl');
  return {
    router: name,
    weightsUrl: folderUrl(options.weightsUrl ?? new URL(`routers/${name}/`, base), 'weightsUrl').href,
    runtime: {
      device,
      localModelPath: forTransformers(new URL('models/', base)),
      wasmPaths: forTransformers(new URL('ort/', base)),
      allowRemoteModels: options.allowRemoteModels ?? false,
    },
    models: {
      ...(options.encoder && { embedder: options.encoder }),
      ...(options.classifier && { textClassifier: options.classifier }),
      ...(options.causalLm && { labelScorer: options.causalLm }),
    },
    ...(options.seed !== undefined && { seed: options.seed }),
  };
}

/** An absolute folder URL (ending in '/'): the worker resolves relative URLs against its own script, not the page. */
function folderUrl(url: string | URL, field: string): URL {
  const page = typeof location === 'undefined' ? undefined : location.href;
  let folder: URL;
  try {
    folder = new URL(url, page);
  } catch {
    throw new InvalidInputError(
      `options.${field} must be a URL (absolute, or relative to the page), got ${JSON.stringify(String(url))}.`,
    );
  }
  if (!folder.pathname.endsWith('/')) folder.pathname += '/';
  return folder;
}

/**
 * A model folder URL as transformers.js takes it: path-absolute on the page's own origin (which the worker shares),
 * since transformers.js 4 loads a local model from an absolute http URL the way it loads a remote one, and fails.
 */
function forTransformers(url: URL): string {
  return typeof location !== 'undefined' && url.origin === location.origin ? url.pathname : url.href;
}
