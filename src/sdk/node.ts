/**
 * Routing in Node (`routellm-web/node`): createRouter with the router worker's service in this thread. A Node
 * entry beside index.ts, so browser bundles of the SDK never reach transformers.js through it.
 */
import { createWorkerClient, type WorkerClient } from '../worker/index.ts';
import { startInThreadWorker } from '../worker/node.ts';
import { InvalidInputError } from '../core/index.ts';
import { createRouter, type PromptRouter, type RouterOptions } from './prompt-router.ts';

/**
 * createRouter's options in Node. `modelBaseUrl` is a file: (or http:) folder URL holding `models/` and
 * `routers/<name>/`, by default the package's own `assets/` folder; scoring runs on the CPU (onnxruntime-node).
 */
export type NodeRouterOptions = Omit<RouterOptions, 'worker' | 'device'>;

/**
 * createRouter for Node, which has no Web Worker: the router worker's service runs in this thread, behind the same
 * WorkerClient, so thresholds, calibration and the fallback behave as in the browser. Routers that embed prompts
 * load the encoder with transformers.js (the optional peer dependency @huggingface/transformers).
 */
export function createNodeRouter(options: NodeRouterOptions): PromptRouter {
  if (typeof options !== 'object' || options === null)
    throw new InvalidInputError('createNodeRouter needs an options object.');
  // Joined at run time so that bundlers do not take the folder for an asset of this module.
  const packageAssets = new URL(['..', '..', 'assets', ''].join('/'), import.meta.url);
  return createRouter({
    ...options,
    modelBaseUrl: options.modelBaseUrl ?? packageAssets,
    worker: inThreadWorkerClient(),
  });
}

let sharedClient: WorkerClient | undefined;

/** One in-thread worker for every Node router, so routers that need the same encoder load it once. */
function inThreadWorkerClient(): WorkerClient {
  sharedClient ??= createWorkerClient({ createWorker: startInThreadWorker });
  return sharedClient;
}
