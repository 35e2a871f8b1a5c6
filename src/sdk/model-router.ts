import {
  calibratePolicy,
  checkPolicy,
  checkPricedModels,
  errorMessage,
  expectedCosts,
  InvalidInputError,
  selectModel,
  type CalibrationTarget,
  type PricedModel,
  type SelectionDecision,
  type SelectionPolicy,
} from '../core/index.ts';
import {
  type PlacedModel,
  placementOf,
  type RouteDevice,
  type RouterInfo,
  type WorkerClient,
  type WorkerRouterOptions,
} from '../worker/index.ts';
import { pageWorkerClient } from './page-worker.ts';
import type { LoadProgress, RouteOptions } from './prompt-router.ts';
import { promptOf, type RouteInput } from './route-input.ts';
import { type WorkerLoadSettings, workerRouterOptions } from './worker-options.ts';

/** The many-model router the SDK uses by default: it predicts every model's quality (issue 13). */
export const DEFAULT_MODEL_ROUTER = 'irt';

/**
 * A model the deployment can call: its name (what the relay serves), its prices, and, when the router does not know
 * `name`, at most one way to place it on the router's scale: `like`, `scores` or `labels` (the last two need a router
 * that places models, `irt`; each is placed once, when the router loads).
 */
export interface DeploymentModel extends PricedModel {
  /**
   * The router's model this one is predicted as (a deployment's own model that resembles a known one, e.g.
   * `{ name: 'strong', like: 'gpt-4o-2024-05-13' }`). Default: `name` itself.
   */
  like?: string;
  /**
   * Its published accuracy (0..1) on reference sets the router's weights carry, e.g. `{ 'mmlu-pro': 0.45 }` (irt:
   * `mmlu-pro`, `zeroeval-math`, `zeroeval-crux`, `pass-rates-llmrouter`, `pass-rates-routerdc`).
   */
  scores?: Readonly<Record<string, number>>;
  /** At least 10 of the site's own prompts with this model's quality on each (0..1: wrong..right). */
  labels?: readonly { readonly prompt: string; readonly quality: number }[];
}

/** A policy, or a calibrated one: a target cost per 1,000 requests or mean quality, met on `calibrationPrompts`. */
export type ModelPolicy =
  | SelectionPolicy
  | { readonly costWeight: CalibrationTarget }
  | { readonly cheapestWithin: CalibrationTarget };

export interface ModelRouterOptions extends WorkerLoadSettings {
  /** A router that predicts each model's quality (default `irt`). */
  router?: string;
  models: readonly DeploymentModel[];
  policy: ModelPolicy;
  /** Prompts like the app's own, predicted once after loading to turn a calibrated policy into lambda or epsilon. */
  calibrationPrompts?: readonly string[];
  onProgress?: (event: LoadProgress) => void;
  worker?: WorkerClient;
}

/** A decision among N models: the chosen one, every model's predicted quality and expected cost, and why. */
export interface ModelDecision extends SelectionDecision {
  router: string;
  /**
   * How each model was placed on the router's scale: `known`, `like <model>`, `scores on <sets>` or
   * `labels (<n> prompts)`.
   */
  mapping: Record<string, string>;
  device: RouteDevice;
  latencyMs: number;
  truncated: boolean;
}

export interface ModelRouter {
  readonly name: string;
  readonly models: readonly DeploymentModel[];
  /** Settles when the router is loaded (and a calibrated policy resolved); rejects when it cannot load. */
  readonly ready: Promise<RouterInfo>;
  /** The policy decisions use (a calibrated one once `ready`). */
  readonly policy: SelectionPolicy | undefined;
  route(input: RouteInput, options?: RouteOptions): Promise<ModelDecision>;
  routeBatch(inputs: readonly RouteInput[], options?: RouteOptions): Promise<ModelDecision[]>;
  dispose(): Promise<void>;
}

const isCalibrated = (
  policy: ModelPolicy,
): policy is { costWeight: CalibrationTarget } | { cheapestWithin: CalibrationTarget } => {
  const inner =
    'costWeight' in policy ? policy.costWeight : 'cheapestWithin' in policy ? policy.cheapestWithin : undefined;
  return inner !== undefined && ('costPer1000Usd' in inner || 'meanQuality' in inner);
};

/**
 * Chooses among N priced models on the device: the router (in the worker) predicts each model's quality for the
 * prompt, and the policy picks from predicted quality and expected cost (see core's model-selection.ts). Options are
 * checked here, once; a router that cannot load or predicts no per-model quality rejects `ready` and every call.
 */
export function createModelRouter(options: ModelRouterOptions): ModelRouter {
  if (typeof options !== 'object' || options === null)
    throw new InvalidInputError('createRouter needs an options object.');
  if (!Array.isArray(options.models)) throw new InvalidInputError('options.models must be an array of models.');
  checkPricedModels(options.models);
  if (typeof options.policy !== 'object' || options.policy === null)
    throw new InvalidInputError('options.policy must be a policy, e.g. { costWeight: { lambda: 100 } }.');
  if (isCalibrated(options.policy)) {
    if (!Array.isArray(options.calibrationPrompts) || options.calibrationPrompts.length === 0)
      throw new InvalidInputError('A calibrated policy (a cost or quality target) needs calibrationPrompts.');
  } else {
    checkPolicy(options.policy as SelectionPolicy);
  }
  return new WorkerModelRouter(options);
}

class WorkerModelRouter implements ModelRouter {
  readonly name: string;
  readonly models: readonly DeploymentModel[];
  readonly ready: Promise<RouterInfo>;
  private resolvedPolicy: SelectionPolicy | undefined;
  private readonly worker: WorkerClient;
  private readonly workerOptions: WorkerRouterOptions;
  private mapping: Record<string, string> = {};
  private disposed = false;

  constructor(private readonly options: ModelRouterOptions) {
    this.name = options.router ?? DEFAULT_MODEL_ROUTER;
    this.models = options.models;
    // Checked here, synchronously (placementOf throws). `like` is a column of the router's predictions, so any
    // per-model router takes it; scores and labels add a model to the router itself, in the worker.
    const placements = options.models.flatMap((model): PlacedModel[] => {
      const placement = placementOf(model.name, model);
      return placement && !('like' in placement) ? [{ name: model.name, placement }] : [];
    });
    this.workerOptions = {
      ...workerRouterOptions(this.name, options),
      ...(placements.length > 0 && { placements }),
    };
    this.worker = options.worker ?? pageWorkerClient(this.workerOptions.runtime?.device);
    if (!isCalibrated(options.policy)) this.resolvedPolicy = options.policy as SelectionPolicy;
    this.ready = this.load();
    this.ready.catch(() => undefined);
  }

  get policy(): SelectionPolicy | undefined {
    return this.resolvedPolicy;
  }

  async route(input: RouteInput, options: RouteOptions = {}): Promise<ModelDecision> {
    const [decision] = await this.decide([promptOf(input)], options);
    return decision!;
  }

  async routeBatch(inputs: readonly RouteInput[], options: RouteOptions = {}): Promise<ModelDecision[]> {
    if (!Array.isArray(inputs) || inputs.length === 0)
      throw new InvalidInputError('routeBatch needs a non-empty array of inputs.');
    return this.decide(
      inputs.map((input, index) => {
        try {
          return promptOf(input);
        } catch (error) {
          throw new InvalidInputError(`inputs[${index}]: ${errorMessage(error)}`);
        }
      }),
      options,
    );
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const info = await this.ready.catch(() => undefined);
    if (info) await this.worker.unloadRouter(this.workerOptions, info.key);
  }

  private async load(): Promise<RouterInfo> {
    const { onProgress } = this.options;
    const info = await this.worker.loadRouter(
      this.workerOptions,
      onProgress && ((event) => onProgress({ ...event, progress: event.total > 0 ? event.loaded / event.total : 0 })),
    );
    this.mapping = Object.fromEntries(
      this.models.map((model) => [
        model.name,
        model.like !== undefined ? `like ${model.like}` : (info.placements?.[model.name] ?? 'known'),
      ]),
    );
    if (this.resolvedPolicy === undefined) {
      const prompts = this.options.calibrationPrompts!;
      const { rows, costs } = await this.predict(info, prompts);
      const policy = this.options.policy as { costWeight: CalibrationTarget } | { cheapestWithin: CalibrationTarget };
      const kind = 'costWeight' in policy ? 'costWeight' : 'cheapestWithin';
      const target = 'costWeight' in policy ? policy.costWeight : policy.cheapestWithin;
      this.resolvedPolicy = calibratePolicy(
        kind,
        target,
        rows.map((qualities, index) => ({ qualities, costs: costs[index]! })),
      );
    }
    onProgress?.({ stage: 'router', status: 'ready', file: '', loaded: 0, total: 0, progress: 1 });
    return info;
  }

  /** Each deployment model's predicted quality (through `like` where given) and expected cost, per prompt. */
  private async predict(info: RouterInfo, prompts: readonly string[], options: RouteOptions = {}) {
    const predicted = await this.worker.predictQuality(
      info.key,
      prompts,
      options.signal ? { signal: options.signal } : {},
    );
    const columns = this.models.map((model) => {
      const known = model.like ?? model.name;
      const index = predicted.models.indexOf(known);
      if (index < 0) {
        throw new InvalidInputError(
          `Router '${this.name}' does not know model '${known}'${model.like ? ` (like of '${model.name}')` : ''}: name one it knows with 'like', or place it by 'scores' or 'labels'. It knows ${predicted.models.join(', ')}.`,
        );
      }
      return index;
    });
    return {
      rows: predicted.qualities.map((row) => columns.map((index) => row[index]!)),
      costs: prompts.map((prompt) => expectedCosts(prompt, this.models)),
      truncated: predicted.truncated,
    };
  }

  private async decide(prompts: string[], options: RouteOptions): Promise<ModelDecision[]> {
    if (this.disposed) throw new InvalidInputError(`Router '${this.name}' was disposed; create a new one.`);
    const info = await this.ready;
    const started = performance.now();
    const { rows, costs, truncated } = await this.predict(info, prompts, options);
    const latencyMs = (performance.now() - started) / prompts.length;
    const mapping = { ...this.mapping };
    return rows.map((qualities, index) => ({
      ...selectModel(this.models, qualities, costs[index]!, this.resolvedPolicy!),
      router: this.name,
      mapping,
      device: info.device,
      latencyMs,
      truncated: truncated[index] ?? false,
    }));
  }
}
