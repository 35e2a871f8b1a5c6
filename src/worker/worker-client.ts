import { proxy, releaseProxy, type Remote, wrap } from 'comlink';
import { AbortError, WorkerCrashedError } from '../core/index.ts';
import type { EncodedText, EncoderProgressEvent } from '../encoder/index.ts';
import { installErrorTransfer } from './error-transfer.ts';
import type {
  EncoderInfo,
  LoadProgressEvent,
  PredictedQualities,
  RouterInfo,
  ScoredPrompt,
  WorkerEncoderOptions,
  WorkerRouterOptions,
  WorkerService,
} from './worker-service.ts';

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
  /** Settles when the worker has been brought back to the client's state (encoder and routers reloaded after a crash). */
  ready: Promise<void>;
}

/** Something loaded in the worker that a new worker must load again: the current encoder, each router. */
type SetupStep = (remote: Remote<WorkerService>) => Promise<unknown>;

const CURRENT_ENCODER_STEP = 'encoder';

/**
 * The page's typed handle on the router worker. When the worker dies (an uncaught error, a failed script), every
 * pending call rejects with WorkerCrashedError and the next call starts a new worker, which first reloads what the
 * old one had loaded (the current encoder, every router), with the options and progress listeners given then.
 */
export class WorkerClient {
  private live: LiveWorker | undefined;
  private readonly setup = new Map<string, SetupStep>();
  private crashCount = 0;
  private nextCallId = 0;

  constructor(private readonly options: WorkerClientOptions = {}) {
    installErrorTransfer();
  }

  /** How many times the worker died and was (or will be, at the next call) replaced. */
  get crashes(): number {
    return this.crashCount;
  }

  async loadEncoder(
    options: WorkerEncoderOptions = {},
    onProgress?: (event: EncoderProgressEvent) => void,
    call?: CallOptions,
  ): Promise<EncoderInfo> {
    const step = (remote: Remote<WorkerService>) =>
      remote.loadEncoder(options, onProgress ? proxy(onProgress) : undefined);
    const info = await this.call(step, call);
    this.setup.set(CURRENT_ENCODER_STEP, step);
    return info;
  }

  encode(texts: readonly string[], call?: CallOptions): Promise<EncodedText[]> {
    return this.call((remote) => remote.encode(texts), call);
  }

  routerNames(call?: CallOptions): Promise<string[]> {
    return this.call((remote) => remote.routerNames(), call);
  }

  /**
   * Loads a router in the worker (or finds it loaded). It is reloaded in any new worker after a crash, even when
   * this load failed: the failure may have been the crash.
   */
  async loadRouter(
    options: WorkerRouterOptions,
    onProgress?: (event: LoadProgressEvent) => void,
    call?: CallOptions,
  ): Promise<RouterInfo> {
    const step = (remote: Remote<WorkerService>) =>
      remote.loadRouter(options, onProgress ? proxy(onProgress) : undefined);
    const stepKey = `router:${JSON.stringify(options)}`;
    this.setup.set(stepKey, step);
    return this.call(step, call);
  }

  /** Scores prompts with a router loaded by loadRouter; aborting the signal also stops the work in the worker. */
  route(key: string, prompts: readonly string[], call?: CallOptions): Promise<ScoredPrompt[]> {
    const callId = `call-${++this.nextCallId}`;
    return this.call(
      (remote) => remote.route(key, prompts, callId),
      call,
      (remote) => void remote.abort(callId).catch(() => undefined),
    );
  }

  /** Each model's predicted quality for each prompt, from a router that predicts it; aborts as `route` does. */
  predictQuality(key: string, prompts: readonly string[], call?: CallOptions): Promise<PredictedQualities> {
    const callId = `call-${++this.nextCallId}`;
    return this.call(
      (remote) => remote.predictQuality(key, prompts, callId),
      call,
      (remote) => void remote.abort(callId).catch(() => undefined),
    );
  }

  async unloadRouter(options: WorkerRouterOptions, key: string): Promise<void> {
    this.setup.delete(`router:${JSON.stringify(options)}`);
    if (this.live) await this.call((remote) => remote.unloadRouter(key));
  }

  /** Stops the worker; a later call starts a new one (and reloads what was loaded). */
  terminate(): void {
    if (!this.live) return;
    this.stop(this.live, new WorkerCrashedError('The router worker was terminated.'), { crashed: false });
  }

  /** Runs one remote call, rejecting when the worker dies or the signal aborts first. */
  private call<T>(
    invoke: (remote: Remote<WorkerService>) => Promise<T>,
    { signal }: CallOptions = {},
    cancelRemote?: (remote: Remote<WorkerService>) => void,
  ): Promise<T> {
    if (signal?.aborted) return Promise.reject(new AbortError());
    const live = this.ensureLive();
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        cancelRemote?.(live.remote);
        settle(() => reject(new AbortError()));
      };
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
    const worker =
      this.options.createWorker?.() ??
      new Worker(new URL('./router-worker.ts', import.meta.url), { type: 'module', name: 'routellm-router' });
    const remote = wrap<WorkerService>(worker);
    const steps = [...this.setup.values()];
    const live: LiveWorker = {
      worker,
      remote,
      pending: new Set(),
      // Each step's own failure stays in the worker (a router that cannot load reports it when used); it must not
      // hold up the calls that do not need it.
      ready: steps.reduce<Promise<void>>(
        (previous, step) => previous.then(() => step(remote).then(noop, noop)),
        Promise.resolve(),
      ),
    };
    const onCrash = (event: Event) => {
      const message = (event as Partial<ErrorEvent>).message;
      const detail = typeof message === 'string' && message !== '' ? `: ${message}` : '';
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

function noop(): void {}

export function createWorkerClient(options?: WorkerClientOptions): WorkerClient {
  return new WorkerClient(options);
}
