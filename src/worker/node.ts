/**
 * The router worker in Node (`routellm-web/node` builds on it): Node has no Web Worker, so the worker's service
 * runs in the calling thread behind a Worker-shaped pair of ports, and the page-side WorkerClient talks to it
 * unchanged. This folder's Node entry, beside index.ts (the browser contract); bundlers for browsers never see it.
 */
import { expose } from 'comlink';
import { errorMessage } from '../core/index.ts';

/**
 * A "worker" whose service runs in this thread. The service module is imported on first start (it brings
 * transformers.js); when that fails, the worker crashes as a worker whose script threw, with the reason.
 */
export function startInThreadWorker(): Worker {
  let page!: InThreadPort;
  const started: Promise<unknown> = import('./node-worker-service.ts').then(
    ({ NodeWorkerService }) => expose(new NodeWorkerService(), inside as unknown as Parameters<typeof expose>[1]),
    (error: unknown) =>
      page.dispatchEvent(
        Object.assign(new Event('error'), { message: `its service could not start (${errorMessage(error)})` }),
      ),
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
