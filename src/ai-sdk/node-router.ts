import { expose } from 'comlink';
import { createRouter, InvalidInputError, type ModelRouter, type RouterOptions } from '../sdk/index.ts';
import { createWorkerClient, type WorkerClient } from '../worker/index.ts';

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
export function createNodeRouter(options: NodeRouterOptions): ModelRouter {
  if (typeof options !== 'object' || options === null) throw new InvalidInputError('createNodeRouter needs an options object.');
  // Joined at run time so that bundlers do not take the folder for an asset of this module.
  const packageAssets = new URL(['..', '..', 'assets', ''].join('/'), import.meta.url);
  return createRouter({ ...options, modelBaseUrl: options.modelBaseUrl ?? packageAssets, worker: inThreadWorkerClient() });
}

let sharedClient: WorkerClient | undefined;

/** One in-thread worker for every Node router, so routers that need the same encoder load it once. */
function inThreadWorkerClient(): WorkerClient {
  sharedClient ??= createWorkerClient({ createWorker: startInThreadWorker });
  return sharedClient;
}

/**
 * A "worker" whose service runs in this thread. The service module is imported on first start (it brings
 * transformers.js); when that fails, the worker crashes as a worker whose script threw, with the reason.
 */
function startInThreadWorker(): Worker {
  let page!: InThreadPort;
  const started: Promise<unknown> = import('./node-worker-service.ts').then(
    ({ NodeWorkerService }) => expose(new NodeWorkerService(), inside as unknown as Parameters<typeof expose>[1]),
    (error: unknown) => page.dispatchEvent(Object.assign(new Event('error'), { message: `its service could not start (${(error as Error).message})` })),
  );
  const inside: InThreadPort = new InThreadPort(started);
  page = new InThreadPort(Promise.resolve(), inside);
  return page as unknown as Worker;
}

/**
 * One end of a message channel within this thread, with the parts of a Worker that WorkerClient and comlink use.
 * Messages are structured-cloned, as between threads, and delivered in a later task: a delivery in flight keeps
 * Node running and an idle channel does not (an open MessagePort would keep the process alive until closed).
 */
class InThreadPort extends EventTarget {
  private peer: InThreadPort | undefined;
  private closed = false;

  /** Messages to this end wait for `opened` (its listener is attached when the service has started). */
  constructor(
    private readonly opened: Promise<unknown>,
    peer?: InThreadPort,
  ) {
    super();
    if (peer) {
      this.peer = peer;
      peer.peer = this;
    }
  }

  postMessage(message: unknown, transfer: Transferable[] = []): void {
    const peer = this.peer;
    if (this.closed || !peer) return;
    const data = structuredClone(message, { transfer });
    setImmediate(() => void peer.opened.then(() => peer.deliver(data)));
  }

  terminate(): void {
    this.closed = true;
    if (this.peer) this.peer.closed = true;
  }

  private deliver(data: unknown): void {
    if (!this.closed) this.dispatchEvent(new MessageEvent('message', { data }));
  }
}
