import {
  AbortError,
  errorMessage,
  InvalidInputError,
  ModelLoadError,
  RouteError,
  scorePrompts,
  createFromDefinition,
  type RouterContext,
  type RouterRegistry,
  type RouterRequirement,
  type Embedder,
  type IrtRouter,
  type ModelQualityPredictor,
  type Router,
  defaultRegistry,
  type LabelScorer,
  type TextClassifier,
  manifestCalibration,
  readRouterWeights,
  type WeightsFileReader,
  type WeightsProgressEvent,
} from '../core/index.ts';
import {
  createCausalLmScorer,
  createEncoder,
  type EncodedText,
  type Encoder,
  type EncoderDevice,
  type EncoderDtype,
  type EncoderOptions,
  type EncoderProgressEvent,
  type OverflowStrategy,
  createTextClassifier,
} from '../encoder/index.ts';
import { httpWeightsReader } from './http-weights-reader.ts';
import { type PlacedModel, placementOf } from './model-placement.ts';

/** Encoder options that can cross into a worker: everything but callbacks, which go as comlink proxies. */
export type WorkerEncoderOptions = Omit<EncoderOptions, 'onProgress'>;

/** What the page learns about the loaded encoder. */
export interface EncoderInfo {
  id: string;
  model: string;
  dtype: string;
  device: Encoder['device'];
  deviceReason: string;
  dimensions: number;
  maxTokens: number;
  loadMs: number;
}

/** Where and how every model a router needs runs (encoder, classifier, causal LM). */
export interface WorkerRuntimeOptions {
  device?: 'auto' | EncoderDevice;
  /** Absolute URL of the folder holding local models (`<modelBaseUrl>/models/`). */
  localModelPath?: string;
  /** Absolute URL of ONNX Runtime's WASM files (`<modelBaseUrl>/ort/`). */
  wasmPaths?: string;
  /** Let models missing locally download from the Hugging Face Hub (default false: fully offline). */
  allowRemoteModels?: boolean;
}

/** Which model serves each requirement; unset fields come from the router's manifest, then from each loader's default. */
export interface WorkerModelChoices {
  embedder?: { model?: string; dtype?: EncoderDtype; overflow?: OverflowStrategy };
  textClassifier?: { model?: string; dtype?: EncoderDtype };
  labelScorer?: { model?: string; dtype?: EncoderDtype };
}

/** A router to load in the worker, by registry name. */
export interface WorkerRouterOptions {
  /** Registry name (`length`, `mf`, ...). */
  router: string;
  /**
   * URL of the folder holding the router's `manifest.json` and weight files (ending in '/'); read only when the
   * router requires weights. Absolute, since a worker resolves relative URLs against its own script.
   */
  weightsUrl: string;
  runtime?: WorkerRuntimeOptions;
  models?: WorkerModelChoices;
  /** Seed for stochastic routers (`random`). */
  seed?: number;
  /**
   * Models to add to the router, in this order, once when it loads (a router that places models it has not trained
   * on: `irt`). Each set of placements is a router of its own in the worker, loaded and keyed like any other.
   */
  placements?: PlacedModel[];
}

/** Where a router's scoring runs: its model's device, or 'cpu' for routers that run no model (plain JavaScript). */
export type RouteDevice = EncoderDevice;

/** A model loaded for a router. */
export interface ModelInfo {
  requirement: ModelRequirement;
  id: string;
  model: string;
  dtype: string;
  device: EncoderDevice;
  deviceReason: string;
  loadMs: number;
}

export interface RouterInfo {
  /** Identifies this loaded router in `route` calls; equal options give the same key. */
  key: string;
  router: string;
  description: string;
  requires: RouterRequirement[];
  device: RouteDevice;
  deviceReason: string;
  /** The models the router runs (none for `length` and `random`). */
  models: ModelInfo[];
  /** The score quantile table shipped in the weights' manifest, for calibrating a strong-call share. */
  quantiles: number[] | undefined;
  /** With `placements`: how the router placed each added model ('like <model>', 'scores on <sets>', 'labels (n prompts)'). */
  placements?: Record<string, string>;
  loadMs: number;
}

/** One model-loading step: a model's files or the router's weight files. */
export type LoadProgressEvent = (EncoderProgressEvent | WeightsProgressEvent) & { stage: ModelRequirement | 'weights' };

export interface ScoredPrompt {
  /** The strong model's predicted win rate, in [0, 1]. */
  score: number;
  /** The encoder dropped tokens beyond its window before scoring this prompt. */
  truncated: boolean;
}

/** What `predictQuality` returns: the router's models, and per prompt each one's P(answers well). */
export interface PredictedQualities {
  models: string[];
  qualities: number[][];
  truncated: boolean[];
}

/** The requirements that are models the worker loads (everything but weights). */
export type ModelRequirement = Exclude<RouterRequirement, 'weights'>;

/** A loaded model of any kind: core's interface for it plus what the page is told. */
type Loaded<T> = T & {
  readonly model: string;
  readonly dtype: string;
  readonly device: EncoderDevice;
  readonly deviceReason: string;
  dispose(): Promise<void>;
};

/** How each kind of model is made (tests swap in small stand-ins). */
export interface ModelLoaders {
  embedder: (options: EncoderOptions) => Promise<Encoder>;
  textClassifier: (options: EncoderOptions) => Promise<Loaded<TextClassifier>>;
  labelScorer: (options: EncoderOptions) => Promise<Loaded<LabelScorer>>;
}

const DEFAULT_LOADERS: ModelLoaders = {
  embedder: createEncoder,
  textClassifier: createTextClassifier,
  labelScorer: createCausalLmScorer,
};

/**
 * Learned routers are trained on embeddings pooled over 128-token windows (src/cli/router-embedder.ts), so the
 * worker embeds the same way unless the manifest or the caller says otherwise.
 */
const ROUTER_EMBEDDER_OVERFLOW: OverflowStrategy = 'chunk';

/**
 * Prompts per `score` call when routing a batch: the unit of cancellation. Between groups the worker lets its event
 * loop run (see betweenGroups), so an abort message is seen within one group's time (about 8 encoder calls).
 */
const ROUTE_BATCH_SIZE = 8;
/** Truncation flags remembered per prompt text (they depend on nothing else); oldest forgotten first. */
const TRUNCATION_MEMORY = 1024;

interface LoadedRouter {
  router: Router;
  info: RouterInfo;
  modelKeys: string[];
  truncation: TruncationLog | undefined;
}

export interface WorkerServiceOptions {
  registry?: RouterRegistry;
  /** How weight files are read (default: fetch from the router's weightsUrl). */
  weightsReader?: (weightsUrl: string, signal?: AbortSignal) => WeightsFileReader;
  /** How models are made (default: createEncoder, createTextClassifier, createCausalLmScorer). */
  loaders?: Partial<ModelLoaders>;
}

/**
 * The API the worker exposes through comlink: routers by name with whatever they require (models, weights),
 * loaded once and shared, and scoring off the page's thread. `loadEncoder` and `encode` work on one current
 * encoder (for pages that only embed); routers keep their own models, shared between routers that ask for the
 * same model with the same options.
 */
export class WorkerService {
  private readonly registry: RouterRegistry;
  private readonly weightsReader: NonNullable<WorkerServiceOptions['weightsReader']>;
  private readonly loaders: ModelLoaders;
  private readonly models = new Map<string, Promise<{ model: Loaded<object>; info: ModelInfo }>>();
  private readonly routers = new Map<string, Promise<LoadedRouter>>();
  private readonly calls = new Map<string, AbortController>();
  private currentEncoderKey: string | undefined;

  constructor(options: WorkerServiceOptions = {}) {
    this.registry = options.registry ?? defaultRegistry;
    this.weightsReader = options.weightsReader ?? httpWeightsReader;
    this.loaders = { ...DEFAULT_LOADERS, ...options.loaders };
  }

  /** Loads (or reuses) an encoder and makes it the one `encode` uses. */
  async loadEncoder(
    options: WorkerEncoderOptions,
    onProgress?: (event: EncoderProgressEvent) => void,
  ): Promise<EncoderInfo> {
    const key = modelKey('embedder', options);
    const { model, info } = await this.modelFor('embedder', key, options, onProgress);
    const encoder = model as Encoder;
    const previous = this.currentEncoderKey;
    this.currentEncoderKey = key;
    if (previous !== undefined && previous !== key) await this.releaseModelIfUnused(previous);
    return {
      id: encoder.id,
      model: encoder.model,
      dtype: encoder.dtype,
      device: encoder.device,
      deviceReason: encoder.deviceReason,
      dimensions: encoder.dimensions,
      maxTokens: encoder.maxTokens,
      loadMs: info.loadMs,
    };
  }

  async encode(texts: readonly string[]): Promise<EncodedText[]> {
    if (this.currentEncoderKey === undefined)
      throw new InvalidInputError('No encoder is loaded in the worker: call loadEncoder first.');
    const { model } = await this.models.get(this.currentEncoderKey)!;
    return (model as Encoder).encode(texts);
  }

  /** The routers this worker can load, by name. */
  routerNames(): string[] {
    return this.registry.names();
  }

  /**
   * Loads a router by registry name with what it requires (an encoder, weights from `weightsUrl`). Loading the
   * same options again returns the same router; a failed load is remembered, so `route` reports its error.
   */
  async loadRouter(options: WorkerRouterOptions, onProgress?: (event: LoadProgressEvent) => void): Promise<RouterInfo> {
    const checked = checkRouterOptions(options);
    const key = canonicalKey(checked);
    let loading = this.routers.get(key);
    if (!loading) {
      loading = this.createRouter(key, checked, onProgress);
      this.routers.set(key, loading);
    }
    return (await loading).info;
  }

  /**
   * Scores prompts with a loaded router, in input order. `callId` lets the page cancel the call (see `abort`);
   * a cancelled batch stops between groups of prompts and rejects with AbortError.
   */
  async route(key: string, prompts: readonly string[], callId?: string): Promise<ScoredPrompt[]> {
    const loading = this.routers.get(key);
    if (!loading) throw new InvalidInputError('This router is not loaded in the worker: call loadRouter first.');
    const loaded = await loading;
    checkPrompts(prompts);
    const controller = new AbortController();
    if (callId !== undefined) this.calls.set(callId, controller);
    try {
      const scores = await scorePrompts(betweenGroups(loaded.router), prompts, {
        signal: controller.signal,
        batchSize: ROUTE_BATCH_SIZE,
      });
      return scores.map((score, index) => {
        if (!(score >= 0 && score <= 1)) {
          throw new RouteError(
            `Router '${loaded.info.router}' returned the score ${score}, which is not in [0, 1].`,
            'model_load_failed',
          );
        }
        return { score, truncated: loaded.truncation?.wasTruncated(prompts[index]!) ?? false };
      });
    } finally {
      if (callId !== undefined) this.calls.delete(callId);
    }
  }

  /**
   * Each model's predicted quality for each prompt, from a loaded router that predicts per-model quality (a
   * ModelQualityPredictor, e.g. `irt`): the router's models, and per prompt one probability per model. Cancelled by
   * `callId` as `route` is.
   */
  async predictQuality(key: string, prompts: readonly string[], callId?: string): Promise<PredictedQualities> {
    const loading = this.routers.get(key);
    if (!loading) throw new InvalidInputError('This router is not loaded in the worker: call loadRouter first.');
    const loaded = await loading;
    checkPrompts(prompts);
    const predictor = loaded.router as Partial<ModelQualityPredictor>;
    if (typeof predictor.predictQuality !== 'function' || !Array.isArray(predictor.models)) {
      throw new InvalidInputError(
        `Router '${loaded.info.router}' does not predict each model's quality: choosing among N models needs one that does (irt).`,
      );
    }
    const controller = new AbortController();
    if (callId !== undefined) this.calls.set(callId, controller);
    try {
      await nextTask();
      if (controller.signal.aborted) throw new AbortError();
      const rows = await predictor.predictQuality(prompts, { signal: controller.signal });
      return {
        models: [...predictor.models],
        qualities: rows.map((row) => Array.from(row)),
        truncated: prompts.map((prompt) => loaded.truncation?.wasTruncated(prompt) ?? false),
      };
    } finally {
      if (callId !== undefined) this.calls.delete(callId);
    }
  }

  /** Cancels a `route` call that is still running; unknown ids are ignored (the call may have just finished). */
  abort(callId: string): void {
    this.calls.get(callId)?.abort(new AbortError());
  }

  /** Forgets a loaded router, and its models when nothing else uses them. */
  async unloadRouter(key: string): Promise<void> {
    const loading = this.routers.get(key);
    if (!loading) return;
    this.routers.delete(key);
    const loaded = await loading.catch(() => undefined);
    for (const modelKeyOfRouter of loaded?.modelKeys ?? []) await this.releaseModelIfUnused(modelKeyOfRouter);
  }

  private async createRouter(
    key: string,
    options: WorkerRouterOptions,
    onProgress?: (event: LoadProgressEvent) => void,
  ): Promise<LoadedRouter> {
    const started = performance.now();
    const definition = this.registry.get(options.router);
    const context: { -readonly [K in keyof RouterContext]: RouterContext[K] } = {};
    if (options.seed !== undefined) context.seed = options.seed;
    const unknownRequirement = definition.requires.find(
      (requirement) => requirement !== 'weights' && !Object.hasOwn(DEFAULT_LOADERS, requirement),
    );
    if (unknownRequirement !== undefined) throw unprovidable(definition.name, unknownRequirement);
    // Weights first: their manifest says which model they were trained with.
    if (definition.requires.includes('weights')) {
      context.weights = await readRouterWeights(
        this.weightsReader(options.weightsUrl),
        options.weightsUrl,
        onProgress && ((event) => onProgress({ ...event, stage: 'weights' })),
      );
    }
    const models: ModelInfo[] = [];
    const modelKeys: string[] = [];
    let truncation: TruncationLog | undefined;
    // A Record, so a requirement added to core without a way to provide it here fails to compile.
    const provide: Record<ModelRequirement, (model: Loaded<object>) => void> = {
      embedder: (model) => {
        truncation = new TruncationLog(model as Encoder);
        context.embedder = truncation;
      },
      textClassifier: (model) => (context.textClassifier = model as Loaded<TextClassifier>),
      labelScorer: (model) => (context.labelScorer = model as Loaded<LabelScorer>),
    };
    const modelRequirements = definition.requires.filter(
      (requirement): requirement is ModelRequirement => requirement !== 'weights',
    );
    for (const requirement of modelRequirements) {
      const modelOptions = this.modelOptions(requirement, options, context.weights?.manifest);
      const modelKeyOfRequirement = modelKey(requirement, modelOptions);
      const { model, info } = await this.modelFor(
        requirement,
        modelKeyOfRequirement,
        modelOptions,
        onProgress && ((event) => onProgress({ ...event, stage: requirement })),
      );
      models.push(info);
      modelKeys.push(modelKeyOfRequirement);
      provide[requirement](model);
    }
    try {
      const created = await createFromDefinition(definition, context);
      const { router, placements } = options.placements
        ? await placeModels(definition.name, created, options.placements)
        : { router: created, placements: undefined };
      const main = models[0];
      return {
        router,
        modelKeys,
        truncation,
        info: {
          key,
          router: definition.name,
          description: definition.description,
          requires: [...definition.requires],
          device: main?.device ?? 'cpu',
          deviceReason: main
            ? main.deviceReason
            : `router '${definition.name}' runs no model: it scores in plain JavaScript in the worker`,
          models,
          quantiles:
            (context.weights ? manifestCalibration(context.weights.manifest)?.quantiles : undefined) ??
            (definition.quantiles && [...definition.quantiles]),
          ...(placements && { placements }),
          loadMs: performance.now() - started,
        },
      };
    } catch (error) {
      if (error instanceof RouteError) throw error;
      throw new ModelLoadError(
        `Router '${definition.name}' could not be created: ${errorMessage(error)}`,
        'model_load_failed',
        { cause: error },
      );
    }
  }

  /** The loader options for one requirement: runtime settings, then the manifest's model choice, then the caller's. */
  private modelOptions(
    requirement: ModelRequirement,
    options: WorkerRouterOptions,
    manifest: Readonly<Record<string, unknown>> | undefined,
  ): EncoderOptions {
    const fromManifest = requirement === 'embedder' ? manifestModelChoice(manifest) : {};
    const defaults = requirement === 'embedder' ? { overflow: ROUTER_EMBEDDER_OVERFLOW } : {};
    return { ...options.runtime, ...defaults, ...fromManifest, ...options.models?.[requirement] };
  }

  private modelFor(
    requirement: ModelRequirement,
    key: string,
    options: EncoderOptions,
    onProgress?: (event: EncoderProgressEvent) => void,
  ): Promise<{ model: Loaded<object>; info: ModelInfo }> {
    let loading = this.models.get(key);
    if (!loading) {
      const started = performance.now();
      const load = this.loaders[requirement] as (options: EncoderOptions) => Promise<Loaded<{ id: string }>>;
      loading = load({ ...options, ...(onProgress && { onProgress }) }).then((model) => ({
        model,
        info: {
          requirement,
          id: model.id,
          model: model.model,
          dtype: model.dtype,
          device: model.device,
          deviceReason: model.deviceReason,
          loadMs: performance.now() - started,
        },
      }));
      this.models.set(key, loading);
      // A failed load is not cached: the next request tries again (the files may have been built since).
      loading.catch(() => {
        if (this.models.get(key) === loading) this.models.delete(key);
      });
    }
    return loading;
  }

  private async releaseModelIfUnused(key: string): Promise<void> {
    if (key === this.currentEncoderKey) return;
    const settled = await Promise.all([...this.routers.values()].map((loading) => loading.catch(() => undefined)));
    if (settled.some((loaded) => loaded?.modelKeys.includes(key))) return;
    const loading = this.models.get(key);
    this.models.delete(key);
    await (await loading?.catch(() => undefined))?.model.dispose();
  }
}

/**
 * The embedder a router's weights were trained with, from the manifest's `encoder` object: its `id`
 * (`<model>@<dtype>-<hash>`, see computeEncoderId) names the model and dtype, and `overflow` how long prompts were
 * embedded, so the page embeds exactly as training did (the router itself then checks the id).
 */
function manifestModelChoice(manifest: Readonly<Record<string, unknown>> | undefined): WorkerModelChoices['embedder'] {
  const encoder = manifest?.['encoder'];
  if (typeof encoder !== 'object' || encoder === null) return {};
  const { id, overflow } = encoder as Record<string, unknown>;
  const named = typeof id === 'string' ? ENCODER_ID.exec(id) : null;
  return {
    ...(named && { model: named[1]!, dtype: named[2] as EncoderDtype }),
    ...((overflow === 'chunk' || overflow === 'truncate') && { overflow }),
  };
}

/** A router that can add models it has not trained on (irt). */
type PlacingRouter = Router & Pick<IrtRouter, 'withModel' | 'placements'>;

/**
 * The router with each model placed on it, in order, and how each was placed. A router that cannot place models is
 * an error naming the first model it was asked to place.
 */
async function placeModels(
  routerName: string,
  router: Router,
  placed: readonly PlacedModel[],
): Promise<{ router: Router; placements: Record<string, string> }> {
  let current = router as Partial<PlacingRouter>;
  for (const { name, placement } of placed) {
    if (typeof current.withModel !== 'function') {
      throw new InvalidInputError(
        `Router '${routerName}' cannot place model '${name}' by ${Object.keys(placement)[0]}: it predicts only the models it was trained on. Use a router that places models (irt), or name a model it knows with 'like'.`,
      );
    }
    try {
      current = await current.withModel(name, placement);
    } catch (error) {
      throw new InvalidInputError(
        `Model '${name}' could not be placed on router '${routerName}': ${errorMessage(error)}`,
        {
          cause: error,
        },
      );
    }
  }
  const descriptions = current.placements ?? {};
  return {
    router: current as Router,
    placements: Object.fromEntries(placed.map(({ name }) => [name, descriptions[name] ?? 'placed'])),
  };
}

/** computeEncoderId's format: `<model>@<dtype>-<8 hex digits>`. */
const ENCODER_ID = /^(.+)@([a-z0-9]+)-[0-9a-f]{8}$/;

function modelKey(requirement: ModelRequirement, options: object): string {
  return `${requirement}:${canonicalKey(options)}`;
}

/**
 * The router with a turn of the worker's event loop before each group of prompts. WASM inference often completes
 * within microtasks, so without this a long batch would hold the worker until its end and an abort (a message)
 * would only be read afterwards. A wrapper, so no router has to know about it.
 */
function betweenGroups(router: Router): Router {
  return {
    name: router.name,
    async score(prompts, options) {
      await nextTask();
      if (options?.signal?.aborted) throw new AbortError();
      return router.score(prompts, options);
    },
  };
}

/** Resolves in a new task (after pending messages are handled), without setTimeout's clamping of nested timers. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(undefined);
  });
}

/**
 * The encoder as the Embedder a router sees, remembering which texts it truncated so a route result can say so.
 * A wrapper rather than a flag inside each router: every embedding router reports truncation the same way.
 */
class TruncationLog implements Embedder {
  private readonly truncated = new Map<string, boolean>();

  constructor(private readonly encoder: Encoder) {}

  get id(): string {
    return this.encoder.id;
  }

  get dimensions(): number {
    return this.encoder.dimensions;
  }

  async embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]> {
    const encoded = await this.encoder.encode(texts, options);
    encoded.forEach((text, index) => this.remember(texts[index]!, text.truncated));
    return encoded.map((text) => text.embedding);
  }

  wasTruncated(text: string): boolean {
    return this.truncated.get(text) ?? false;
  }

  private remember(text: string, truncated: boolean): void {
    this.truncated.delete(text);
    this.truncated.set(text, truncated);
    if (this.truncated.size > TRUNCATION_MEMORY) this.truncated.delete(this.truncated.keys().next().value!);
  }
}

function unprovidable(router: string, requirement: string): ModelLoadError {
  return new ModelLoadError(
    `Router '${router}' requires '${requirement}', which the router worker cannot provide.`,
    'model_load_failed',
  );
}

function checkRouterOptions(options: WorkerRouterOptions): WorkerRouterOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidInputError('Router options must be an object.');
  if (typeof options.router !== 'string' || options.router === '')
    throw new InvalidInputError('options.router must name a router.');
  if (
    typeof options.weightsUrl !== 'string' ||
    !/^[a-z][a-z0-9+.-]*:/i.test(options.weightsUrl) ||
    !options.weightsUrl.endsWith('/')
  ) {
    throw new InvalidInputError(
      `options.weightsUrl must be an absolute folder URL ending in '/', got ${JSON.stringify(options.weightsUrl)}.`,
    );
  }
  if (options.seed !== undefined && !Number.isInteger(options.seed))
    throw new InvalidInputError(`options.seed must be an integer, got ${options.seed}.`);
  if (options.placements !== undefined) {
    if (!Array.isArray(options.placements))
      throw new InvalidInputError('options.placements must be an array of { name, placement }.');
    const names = new Set<string>();
    for (const placed of options.placements as unknown[]) {
      const { name, placement } = (typeof placed === 'object' && placed !== null ? placed : {}) as Record<
        string,
        unknown
      >;
      if (typeof name !== 'string' || name === '' || names.has(name))
        throw new InvalidInputError('Every placed model needs a name of its own.');
      names.add(name);
      if (typeof placement !== 'object' || placement === null || placementOf(name, placement) === undefined)
        throw new InvalidInputError(`Model '${name}' needs a placement: like, scores or labels.`);
    }
  }
  return options;
}

function checkPrompts(prompts: unknown): asserts prompts is readonly string[] {
  if (!Array.isArray(prompts) || prompts.length === 0)
    throw new InvalidInputError('Routing needs a non-empty array of prompts.');
  prompts.forEach((prompt: unknown, index) => {
    if (typeof prompt !== 'string')
      throw new InvalidInputError(`Prompt ${index} must be a string, got ${prompt === null ? 'null' : typeof prompt}.`);
    if (prompt.trim() === '') throw new InvalidInputError(`Prompt ${index} is empty: there is nothing to route.`);
  });
}

/** JSON with object keys sorted, so equal options give equal keys whatever order they were written in. */
export function canonicalKey(value: unknown): string {
  return JSON.stringify(value, (_key, entry: unknown) =>
    entry !== null && typeof entry === 'object' && !Array.isArray(entry)
      ? Object.fromEntries(
          Object.entries(entry as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : entry,
  );
}
