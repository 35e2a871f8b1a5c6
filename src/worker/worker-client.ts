import { proxy, releaseProxy, type Remote, wrap } from 'comlink';
import { AbortError, WorkerCrashedError } from '../core/errors.ts';
import type { EncodedText, EncoderProgressEvent } from '../encoder/index.ts';
import { installErrorTransfer } from './error-transfer.ts';
import type { EncoderInfo, WorkerEncoderOptions, WorkerService } from './worker-service.ts';

export interface WorkerClientOptions {
  /** Starts the worker. Default: the bundled module worker (src/worker/router-worker.ts). */
  createWorker?: () => Worker;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** One running worker and the calls waiting on it. */
interface LiveWorker {
  worker: Worker;
  remote: Remote<WorkerService>;
  pending: Set<(error: Error) => void>;
  /** Settles when the worker has been brought back to the client's state (the encoder reloaded after a crash). */
  ready: Promise<void>;
}

/**
 * The page's typed handle on the router worker. When the worker dies (an uncaught error, a failed script),
 * every pending call rejects with WorkerCrashedError and the next call starts a new worker, reloading the encoder
 * with the options it was last loaded with.
 */
export class WorkerClient {
  private live: LiveWorker | undefined;
  private encoderSetup: { options: WorkerEncoderOptions; onProgress?: (event: EncoderProgressEvent) => void } | undefined;
  private crashCount = 0;

  constructor(private readonly options: WorkerClientOptions = {}) {
    installErrorTransfer();
  }

  /** How many times the worker died and was (or will be, at the next call) replaced. */
  get crashes(): number {
    return this.crashCount;
  }

  async loadEncoder(options: WorkerEncoderOptions = {}, onProgress?: (event: EncoderProgressEvent) => void, call?: CallOptions): Promise<EncoderInfo> {
    const info = await this.call((remote) => remote.loadEncoder(options, onProgress ? proxy(onProgress) : undefined), call);
    this.encoderSetup = { options, onProgress };
    return info;
  }

  encode(texts: readonly string[], call?: CallOptions): Promise<EncodedText[]> {
    return this.call((remote) => remote.encode(texts), call);
  }

  /** Stops the worker; a later call starts a new one. */
  terminate(): void {
    if (!this.live) return;
    this.stop(this.live, new WorkerCrashedError('The router worker was terminated.'), { crashed: false });
  }

  /** Runs one remote call, rejecting when the worker dies or the signal aborts first. */
  private call<T>(invoke: (remote: Remote<WorkerService>) => Promise<T>, { signal }: CallOptions = {}): Promise<T> {
    if (signal?.aborted) return Promise.reject(new AbortError());
    const live = this.ensureLive();
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => settle(() => reject(new AbortError()));
      const settle = (finish: () => void) => {
        live.pending.delete(fail);
        signal?.removeEventListener('abort', onAbort);
        finish();
      };
      const fail = (error: Error) => settle(() => reject(error));
      live.pending.add(fail);
      signal?.addEventListener('abort', onAbort, { once: true });
      live.ready
        .then(() => invoke(live.remote))
        .then(
          (value) => settle(() => resolve(value)),
          (error: unknown) => settle(() => reject(error)),
        );
    });
  }

  private ensureLive(): LiveWorker {
    if (this.live) return this.live;
    const worker = this.options.createWorker?.() ?? new Worker(new URL('./router-worker.ts', import.meta.url), { type: 'module', name: 'routellm-router' });
    const remote = wrap<WorkerService>(worker);
    const setup = this.encoderSetup;
    const live: LiveWorker = {
      worker,
      remote,
      pending: new Set(),
      ready: setup ? remote.loadEncoder(setup.options, setup.onProgress ? proxy(setup.onProgress) : undefined).then(() => undefined) : Promise.resolve(),
    };
    const onCrash = (event: Event) => {
      const detail = event instanceof ErrorEvent && event.message ? `: ${event.message}` : '';
      this.stop(live, new WorkerCrashedError(`The router worker crashed${detail}. The next call starts a new one.`));
    };
    worker.addEventListener('error', onCrash);
    worker.addEventListener('messageerror', onCrash);
    this.live = live;
    return live;
  }

  private stop(live: LiveWorker, error: WorkerCrashedError, { crashed } = { crashed: true }): void {
    if (this.live !== live) return;
    this.live = undefined;
    if (crashed) this.crashCount += 1;
    live.remote[releaseProxy]();
    live.worker.terminate();
    for (const fail of [...live.pending]) fail(error);
  }
}

export function createWorkerClient(options?: WorkerClientOptions): WorkerClient {
  return new WorkerClient(options);
}
