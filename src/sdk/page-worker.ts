import type { EncoderDevice } from '../encoder/index.ts';
import { createWorkerClient, type WorkerClient } from '../worker/index.ts';

/** The page's workers, one per onnxruntime-web build (a real SharedWorker, shared across tabs, is another thing). */
const pageWorkers = new Map<'default' | 'webgpu', WorkerClient>();

/**
 * The page's router worker: the one its routers and clients share unless given their own (started on first use). Routers
 * that ask for WebGPU share a second one: a worker runs one build of onnxruntime-web, and the fast WASM-only build
 * the others may have loaded cannot run WebGPU (see src/encoder/ort-build.ts). 'auto' stays in the default worker,
 * where it ends on WASM or on a WebGPU build that runs WASM too.
 */
export function pageWorkerClient(device: 'auto' | EncoderDevice = 'auto'): WorkerClient {
  const key = device === 'webgpu' ? 'webgpu' : 'default';
  let client = pageWorkers.get(key);
  if (!client) {
    client = createWorkerClient();
    pageWorkers.set(key, client);
  }
  return client;
}
