/**
 * The router worker's service on a MessageChannel in the test process, behind the same `Worker` surface the
 * WorkerClient drives (postMessage, events, terminate). Tests can crash it like a worker whose script threw.
 */
import { expose } from 'comlink';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { installErrorTransfer } from '../../src/worker/error-transfer.ts';
import { WorkerService, type WorkerServiceOptions } from '../../src/worker/worker-service.ts';

export class InProcessWorker extends EventTarget {
  readonly service: WorkerService;
  terminated = false;
  private readonly page: MessagePort;
  private readonly inside: MessagePort;

  constructor(options: WorkerServiceOptions = {}) {
    super();
    installErrorTransfer();
    const channel = new MessageChannel();
    this.page = channel.port1;
    this.inside = channel.port2;
    this.service = new WorkerService(options);
    expose(this.service, this.inside as unknown as Parameters<typeof expose>[1]);
    this.page.on('message', (data: unknown) => this.dispatchEvent(Object.assign(new Event('message'), { data })));
  }

  postMessage(message: unknown, transfer?: Transferable[]): void {
    this.page.postMessage(message, (transfer ?? []) as never);
  }

  /** What a worker does when its script throws: an 'error' event, after which it is useless. */
  crash(message = 'forced crash'): void {
    this.dispatchEvent(Object.assign(new Event('error'), { message }));
  }

  terminate(): void {
    this.terminated = true;
    this.page.close();
    this.inside.close();
  }
}

/** A createWorker function for WorkerClient that records every worker it starts. */
export function inProcessWorkers(options: WorkerServiceOptions = {}): {
  started: InProcessWorker[];
  createWorker: () => Worker;
} {
  const started: InProcessWorker[] = [];
  return {
    started,
    createWorker: () => {
      const worker = new InProcessWorker(options);
      started.push(worker);
      return worker as unknown as Worker;
    },
  };
}
