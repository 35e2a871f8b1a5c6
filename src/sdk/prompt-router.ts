import {
  DEFAULT_ROUTER,
  errorMessage,
  thresholdForStrongPct,
  thresholdFromQuantileTable,
  InvalidInputError,
  RouteError,
  WorkerCrashedError,
  parseRouterModel,
} from '../core/index.ts';
import type { LoadProgressEvent, RouteDevice, RouterInfo, WorkerClient, WorkerRouterOptions } from '../worker/index.ts';
import { AdaptiveThreshold, DEFAULT_ADAPTIVE_WINDOW } from './adaptive-threshold.ts';
import { promptOf, type RouteInput } from './route-input.ts';
import { createModelRouter, type ModelRouter, type ModelRouterOptions } from './model-router.ts';
import { pageWorkerClient } from './page-worker.ts';
import { type WorkerLoadSettings, workerRouterOptions } from './worker-options.ts';

/** Which model tier a decision picked. */
export type ModelTier = 'strong' | 'weak';

/** How a decision's threshold was found. */
export type CalibrationSource =
  /** Given directly (`threshold`, or the model string's number). */
  | 'threshold'
  /** From `strongPct` and the score quantiles shipped in the router's manifest. */
  | 'manifest'
  /** From `strongPct` and the scores of the `calibrationPrompts` given. */
  | 'prompts'
  /** From `strongPct` and the scores of recent live traffic. */
  | 'adaptive'
  /** No threshold: the router could not load and the fallback decided. */
  | 'fallback';

/** One routing decision. */
export interface RouteDecision {
  /** The model to call: `strongModel` or `weakModel` as configured (relay aliases by default). */
  model: string;
  tier: ModelTier;
  /** The strong model's predicted win rate in [0, 1]; null when the fallback decided. */
  score: number | null;
  /** The prompt went strong because score >= threshold; null when the fallback decided. */
  threshold: number | null;
  /** Router name. */
  router: string;
  /** Where scoring ran ('cpu': a router that runs no model); null when the fallback decided. */
  device: RouteDevice | null;
  /** Time spent routing, from the call into the worker to the decision (amortised over a batch). */
  latencyMs: number;
  /** The encoder dropped the end of the prompt (over its token window) before scoring. */
  truncated: boolean;
  calibration: CalibrationSource;
  /** The strong-call share the threshold was calibrated for, when routing by share. */
  strongPct: number | null;
  /** True when the router could not load and the configured fallback tier was used instead. */
  fallback: boolean;
  /** Why the router could not be used, when `fallback` is true. */
  fallbackReason?: string;
}

/** Model-loading progress: per file, and overall. */
export interface LoadProgress {
  stage: LoadProgressEvent['stage'] | 'router';
  status: LoadProgressEvent['status'] | 'ready';
  file: string;
  loaded: number;
  total: number;
  /** Bytes loaded over bytes known, over every file so far (0-1); 1 once the router is ready. */
  progress: number;
}

export interface RouterOptions extends WorkerLoadSettings {
  /** A router name (`irt`, `length`, ...) or a model string `router-<name>-<threshold>` (default DEFAULT_ROUTER). */
  router?: string;
  /** Prompts scoring at or above it go to the strong model. Give this or `strongPct`. */
  threshold?: number;
  /**
   * Target share of prompts for the strong model (0-1), turned into a threshold by, in order: the scores of
   * `calibrationPrompts`, the quantiles in the router's manifest, or (when neither exists) recent live traffic.
   */
  strongPct?: number;
  /** Scored once after loading to calibrate `strongPct` on prompts like the app's own. */
  calibrationPrompts?: readonly string[];
  /**
   * Keep the observed strong share near `strongPct` on live traffic: a running quantile of the last `window` scores
   * (default 500), which takes over from the calibrated threshold once 20 scores were seen.
   */
  adaptive?: boolean | { window: number };
  /** What a strong decision calls. Default 'strong' (the relay's alias). */
  strongModel?: string;
  /** What a weak decision calls. Default 'weak'. */
  weakModel?: string;
  /** Who decides when the router cannot load: the strong model (default, as RouteLLM's causal router), the weak one, or nobody ('error'). */
  fallback?: ModelTier | 'error';
  onProgress?: (event: LoadProgress) => void;
  /** The worker to run in. Default: one worker shared by every router of the page. */
  worker?: WorkerClient;
}

export interface RouteOptions {
  signal?: AbortSignal;
}

/** Where a router stands: loaded, or replaced by its fallback because it could not load. */
export type RouterStatus = { state: 'ready'; info: RouterInfo } | { state: 'fallback'; error: RouteError };

/** A router running in the worker, with a threshold policy and a fallback around it. */
export interface PromptRouter {
  /** Router name. */
  readonly name: string;
  /** Settles when the router is loaded or its fallback has taken over; rejects only with `fallback: 'error'`. */
  readonly ready: Promise<RouterStatus>;
  /** What the worker reported once loaded. */
  readonly info: RouterInfo | undefined;
  /** The fixed threshold, or the one the last decision used when calibrating by share. */
  readonly threshold: number | undefined;
  readonly strongPct: number | undefined;
  route(input: RouteInput, options?: RouteOptions): Promise<RouteDecision>;
  /** Routes many prompts in one worker call; decisions come back in input order. */
  routeBatch(inputs: readonly RouteInput[], options?: RouteOptions): Promise<RouteDecision[]>;
  /** Routes by a fixed threshold from now on. */
  setThreshold(threshold: number): void;
  /** Routes by a strong-call share from now on. */
  setStrongPct(strongPct: number): void;
  /** Unloads the router from the worker; later calls reject. */
  dispose(): Promise<void>;
}

const ROUTER_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const FALLBACKS = ['strong', 'weak', 'error'] as const;
/** With a calibrated threshold to start from, live traffic takes over once this many scores were seen. */
const MIN_ADAPTIVE_SCORES = 20;
/** Failures that mean "this router cannot be used here", as opposed to bad input, a crash or an abort. */
const LOAD_FAILURES: ReadonlySet<string> = new Set(['model_not_found', 'model_load_failed']);

/**
 * Starts (or shares) the router worker, loads the router by name with what it needs (encoder, weights from
 * `<modelBaseUrl>/routers/<name>/`), and returns a PromptRouter. Options are checked here, once (InvalidInputError).
 * Loading continues in the background (see `ready` and `onProgress`) and routing waits for it. A router the worker
 * does not know rejects `ready` and every call with RouteError 'router_not_found'; a router that cannot load hands
 * its decisions to the fallback.
 */
export function createRouter(options: RouterOptions): PromptRouter;
/**
 * With `models` (and a `policy`): a router that chooses among N priced models by predicted quality and expected cost
 * (see createModelRouter). The two-model router above is unchanged.
 */
export function createRouter(options: ModelRouterOptions): ModelRouter;
export function createRouter(options: RouterOptions | ModelRouterOptions): PromptRouter | ModelRouter {
  if (typeof options === 'object' && options !== null && 'models' in options) return createModelRouter(options);
  return new WorkerPromptRouter(checkOptions(options as RouterOptions));
}

interface CheckedOptions {
  name: string;
  policy: { kind: 'threshold'; threshold: number } | { kind: 'share'; strongPct: number };
  calibrationPrompts: readonly string[] | undefined;
  adaptiveWindow: number | undefined;
  strongModel: string;
  weakModel: string;
  fallback: ModelTier | 'error';
  workerOptions: WorkerRouterOptions;
  onProgress: ((event: LoadProgress) => void) | undefined;
  worker: WorkerClient | undefined;
}

function checkOptions(options: RouterOptions): CheckedOptions {
  if (typeof options !== 'object' || options === null)
    throw new InvalidInputError('createRouter needs an options object.');
  const router = options.router ?? DEFAULT_ROUTER;
  if (typeof router !== 'string' || router.trim() === '')
    throw new InvalidInputError(`options.router must name a router, e.g. "${DEFAULT_ROUTER}", or be left out.`);
  const fromModelString = parseRouterModel(router);
  const name = fromModelString?.router ?? router;
  // Whether the router exists is the worker's registry's question (answered by `ready`); the form is checked here.
  if (!ROUTER_NAME.test(name))
    throw new InvalidInputError(
      `"${name}" is not a router name (lowercase letters and digits joined by hyphens, e.g. "sw-ranking").`,
    );

  const given = [
    fromModelString && 'a model string threshold',
    options.threshold !== undefined && 'threshold',
    options.strongPct !== undefined && 'strongPct',
  ].filter(Boolean);
  if (given.length > 1)
    throw new InvalidInputError(
      `Give one of threshold, strongPct or a model string's threshold, not ${given.join(' and ')}.`,
    );
  const threshold = fromModelString?.threshold ?? options.threshold;
  if (threshold === undefined && options.strongPct === undefined) {
    throw new InvalidInputError('Give a threshold (or a model string such as "router-mf-0.1159") or a strongPct.');
  }
  if (threshold !== undefined) checkShare(threshold, 'threshold');
  if (options.strongPct !== undefined) checkShare(options.strongPct, 'strongPct');

  const calibrationPrompts = options.calibrationPrompts;
  if (calibrationPrompts !== undefined) {
    if (options.strongPct === undefined)
      throw new InvalidInputError('calibrationPrompts calibrate a strongPct; give one.');
    if (!Array.isArray(calibrationPrompts) || calibrationPrompts.length === 0)
      throw new InvalidInputError('calibrationPrompts must be a non-empty array of prompts.');
    calibrationPrompts.forEach((prompt: unknown, index) => {
      if (typeof prompt !== 'string' || prompt.trim() === '')
        throw new InvalidInputError(`calibrationPrompts[${index}] must be a non-empty string.`);
    });
  }
  let adaptiveWindow: number | undefined;
  if (options.adaptive !== undefined && options.adaptive !== false) {
    if (options.strongPct === undefined)
      throw new InvalidInputError('adaptive keeps a strongPct on live traffic; give one.');
    adaptiveWindow = options.adaptive === true ? DEFAULT_ADAPTIVE_WINDOW : options.adaptive.window;
  }

  const strongModel = options.strongModel ?? 'strong';
  const weakModel = options.weakModel ?? 'weak';
  for (const [field, model] of [
    ['strongModel', strongModel],
    ['weakModel', weakModel],
  ] as const) {
    if (typeof model !== 'string' || model.trim() === '')
      throw new InvalidInputError(`options.${field} must be a non-empty model name.`);
    if (parseRouterModel(model))
      throw new InvalidInputError(`options.${field} must be a model the relay serves, not a router ("${model}").`);
  }
  const fallback = options.fallback ?? 'strong';
  if (!FALLBACKS.includes(fallback))
    throw new InvalidInputError(
      `options.fallback must be one of ${FALLBACKS.join(', ')}, got ${JSON.stringify(fallback)}.`,
    );
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function')
    throw new InvalidInputError('options.onProgress must be a function.');

  return {
    name,
    policy:
      threshold !== undefined ? { kind: 'threshold', threshold } : { kind: 'share', strongPct: options.strongPct! },
    calibrationPrompts,
    adaptiveWindow,
    strongModel,
    weakModel,
    fallback,
    workerOptions: workerRouterOptions(name, options),
    onProgress: options.onProgress,
    worker: options.worker,
  };
}

function checkShare(value: unknown, field: string): void {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1))
    throw new InvalidInputError(`${field} must be a number between 0 and 1, got ${JSON.stringify(value)}.`);
}

class WorkerPromptRouter implements PromptRouter {
  readonly name: string;
  private readonly options: CheckedOptions;
  private readonly worker: WorkerClient;
  private policy: CheckedOptions['policy'];
  private adaptive: AdaptiveThreshold | undefined;
  private calibrationScores: number[] | undefined;
  private status: RouterStatus | undefined;
  private loading: Promise<RouterStatus>;
  private lastThreshold: number | undefined;
  private disposed = false;
  private readonly progressFiles = new Map<string, { loaded: number; total: number }>();

  constructor(options: CheckedOptions) {
    this.name = options.name;
    this.options = options;
    this.policy = options.policy;
    this.worker = options.worker ?? pageWorkerClient(options.workerOptions.runtime?.device);
    if (options.adaptiveWindow !== undefined) this.adaptive = new AdaptiveThreshold(options.adaptiveWindow);
    this.loading = this.load();
    // `ready` is for callers who want to wait; routing awaits the same promise and handles its outcome.
    this.loading.catch(() => undefined);
  }

  get ready(): Promise<RouterStatus> {
    return this.loading;
  }

  get info(): RouterInfo | undefined {
    return this.status?.state === 'ready' ? this.status.info : undefined;
  }

  get threshold(): number | undefined {
    return this.policy.kind === 'threshold' ? this.policy.threshold : this.lastThreshold;
  }

  get strongPct(): number | undefined {
    return this.policy.kind === 'share' ? this.policy.strongPct : undefined;
  }

  setThreshold(threshold: number): void {
    checkShare(threshold, 'threshold');
    this.policy = { kind: 'threshold', threshold };
  }

  setStrongPct(strongPct: number): void {
    checkShare(strongPct, 'strongPct');
    this.policy = { kind: 'share', strongPct };
    this.lastThreshold = undefined;
  }

  async route(input: RouteInput, options: RouteOptions = {}): Promise<RouteDecision> {
    const [decision] = await this.decide([promptOf(input)], options);
    return decision!;
  }

  async routeBatch(inputs: readonly RouteInput[], options: RouteOptions = {}): Promise<RouteDecision[]> {
    if (!Array.isArray(inputs) || inputs.length === 0)
      throw new InvalidInputError('routeBatch needs a non-empty array of inputs.');
    const prompts = inputs.map((input, index) => {
      try {
        return promptOf(input);
      } catch (error) {
        throw new InvalidInputError(`inputs[${index}]: ${errorMessage(error)}`);
      }
    });
    return this.decide(prompts, options);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const status = await this.loading.catch(() => undefined);
    if (status?.state === 'ready') await this.worker.unloadRouter(this.options.workerOptions, status.info.key);
  }

  private async decide(prompts: string[], { signal }: RouteOptions): Promise<RouteDecision[]> {
    if (this.disposed) throw new InvalidInputError(`Router '${this.name}' was disposed; create a new one.`);
    const status = await this.currentStatus();
    if (status.state === 'fallback') return prompts.map(() => this.fallbackDecision(status.error));
    const started = performance.now();
    let scored: Awaited<ReturnType<WorkerClient['route']>>;
    try {
      scored = await this.worker.route(status.info.key, prompts, signal ? { signal } : {});
    } catch (error) {
      // The worker may have been restarted since the load (after a crash) and failed to load the router again.
      if (isLoadFailure(error) && this.options.fallback !== 'error') {
        this.status = { state: 'fallback', error };
        return prompts.map(() => this.fallbackDecision(error));
      }
      throw error;
    }
    const latencyMs = (performance.now() - started) / prompts.length;
    return scored.map(({ score, truncated }) => {
      const { threshold, calibration } = this.thresholdFor(score, status.info);
      const tier: ModelTier = score >= threshold ? 'strong' : 'weak';
      return {
        model: tier === 'strong' ? this.options.strongModel : this.options.weakModel,
        tier,
        score,
        threshold,
        router: this.name,
        device: status.info.device,
        latencyMs,
        truncated,
        calibration,
        strongPct: this.strongPct ?? null,
        fallback: false,
      };
    });
  }

  /** The settled load, retrying it once the worker is back when it failed because the worker crashed. */
  private async currentStatus(): Promise<RouterStatus> {
    try {
      return await this.loading;
    } catch (error) {
      if (!(error instanceof WorkerCrashedError)) throw error;
      this.loading = this.load();
      return this.loading;
    }
  }

  private thresholdFor(score: number, info: RouterInfo): { threshold: number; calibration: CalibrationSource } {
    const policy = this.policy;
    if (policy.kind === 'threshold') return { threshold: policy.threshold, calibration: 'threshold' };
    const fixed: { threshold: number; calibration: CalibrationSource } | undefined = this.calibrationScores
      ? { threshold: thresholdForStrongPct(this.calibrationScores, policy.strongPct), calibration: 'prompts' }
      : info.quantiles
        ? { threshold: thresholdFromQuantileTable(info.quantiles, policy.strongPct), calibration: 'manifest' }
        : undefined;
    // Without any calibration the only evidence of the score distribution is the traffic itself.
    if (!fixed) this.adaptive ??= new AdaptiveThreshold();
    let result = fixed;
    if (this.adaptive) {
      this.adaptive.observe(score);
      if (!fixed || this.adaptive.size >= MIN_ADAPTIVE_SCORES) {
        result = { threshold: this.adaptive.thresholdFor(policy.strongPct)!, calibration: 'adaptive' };
      }
    }
    this.lastThreshold = result!.threshold;
    return result!;
  }

  private fallbackDecision(error: RouteError): RouteDecision {
    const tier = this.options.fallback as ModelTier;
    return {
      model: tier === 'strong' ? this.options.strongModel : this.options.weakModel,
      tier,
      score: null,
      threshold: null,
      router: this.name,
      device: null,
      latencyMs: 0,
      truncated: false,
      calibration: 'fallback',
      strongPct: this.strongPct ?? null,
      fallback: true,
      fallbackReason: `Router '${this.name}' could not load (${error.message.replace(/\.$/, '')}); the ${tier} model answers every prompt.`,
    };
  }

  private async load(): Promise<RouterStatus> {
    const { workerOptions, onProgress } = this.options;
    try {
      const info = await this.worker.loadRouter(workerOptions, onProgress && ((event) => this.reportProgress(event)));
      if (this.options.calibrationPrompts) {
        const scored = await this.worker.route(info.key, this.options.calibrationPrompts);
        this.calibrationScores = scored.map((entry) => entry.score);
      }
      this.status = { state: 'ready', info };
      onProgress?.({ stage: 'router', status: 'ready', file: '', loaded: 0, total: 0, progress: 1 });
      return this.status;
    } catch (error) {
      if (error instanceof WorkerCrashedError || !isLoadFailure(error) || this.options.fallback === 'error')
        throw error;
      this.status = { state: 'fallback', error };
      return this.status;
    }
  }

  private reportProgress(event: LoadProgressEvent): void {
    if (event.status !== 'ready')
      this.progressFiles.set(`${event.stage}:${event.file}`, { loaded: event.loaded, total: event.total });
    let loaded = 0;
    let total = 0;
    for (const file of this.progressFiles.values()) {
      if (file.total <= 0) continue;
      loaded += Math.min(file.loaded, file.total);
      total += file.total;
    }
    this.options.onProgress?.({ ...event, progress: total > 0 ? loaded / total : 0 });
  }
}

function isLoadFailure(error: unknown): error is RouteError {
  return error instanceof RouteError && LOAD_FAILURES.has(error.code);
}
