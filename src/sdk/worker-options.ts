import { InvalidInputError } from '../core/index.ts';
import type { EncoderDtype, OverflowStrategy } from '../encoder/index.ts';
import type { WorkerRouterOptions } from '../worker/index.ts';

const DEVICES = ['auto', 'wasm', 'webgpu'] as const;

/** What every router the SDK loads in the worker is configured with (two-model and N-model routers alike). */
export interface WorkerLoadSettings {
  device?: 'auto' | 'wasm' | 'webgpu';
  modelBaseUrl?: string | URL;
  weightsUrl?: string | URL;
  encoder?: { model?: string; dtype?: EncoderDtype; overflow?: OverflowStrategy };
  classifier?: { model?: string; dtype?: EncoderDtype };
  causalLm?: { model?: string; dtype?: EncoderDtype };
  allowRemoteModels?: boolean;
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
