import type { ReactiveController, ReactiveControllerHost } from 'lit';
import {
  createClient,
  createRouter,
  DEFAULT_MODEL_ROUTER,
  DEFAULT_ROUTER,
  RelayError,
  RouteError,
  parseRouterModel,
  type ChatCompletionMessageParam,
  type ClientOptions,
  type LoadProgress,
  type ModelDecision,
  type ModelRouter,
  type ModelRouterOptions,
  type PromptRouter,
  type ModelTier,
  type RouteDecision,
  type RouterInfo,
  type RouterModelString,
  type RouterOptions,
  type RouteLLMClient,
} from '../sdk/index.ts';
import type { WorkerClient } from '../worker/index.ts';
import { type ChatModel, DEFAULT_COST_WEIGHT, deploymentModels, parseChatModels } from './chat-models.ts';
import { estimateTokens, type MeteredCall, type ModelMeteredCall, type ModelPrice } from './cost-meter.ts';
import { explainDecision } from './decision-explanation.ts';
import { errorMessage } from '../core/index.ts';

/**
 * What a `route-decision` event carries: the decision (two-model mode) or the choice among the page's models
 * (N-model mode), and the prompt it was made for.
 */
export type RouteDecisionDetail =
  | { decision: RouteDecision; choice?: undefined; prompt: string }
  | { choice: ModelDecision; decision?: undefined; prompt: string };

/** What kind of failure a `route-error` event reports, for host pages that react to some and not others (snake_case, as RouteErrorCode). */
export type RouteChatErrorKind =
  | 'relay_unreachable'
  | 'no_key'
  | 'relay'
  | 'router_failed'
  | 'worker_crashed'
  | 'input';

export interface RouteErrorDetail {
  kind: RouteChatErrorKind;
  error: Error;
  message: string;
}

export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
  decision?: RouteDecision;
  /** N-model mode: which of the page's models was chosen, every model's predicted quality and expected cost, and why. */
  choice?: ModelDecision;
  /** N-model mode: the relay alias the chosen model was called by. */
  relayModel?: string;
  /** One plain sentence on who answered and why, for this prompt (explainDecision). */
  why?: string;
  /** The provider's name of the model that answered. */
  answeredBy?: string;
  streaming?: boolean;
  failed?: boolean;
  /** How an answer ended early: stopped by the user, or cut off by a failure mid-stream. */
  ended?: 'stopped' | 'cut-off';
}

export type LoadState =
  | { kind: 'loading'; progress: number }
  | { kind: 'ready'; info: RouterInfo }
  | { kind: 'fallback'; reason: string }
  | { kind: 'failed'; message: string };

export interface ChatState {
  turns: readonly ChatTurn[];
  load: LoadState;
  /** The failure on show; a router that fell back says so in `load` instead. */
  error: RouteErrorDetail | undefined;
  prices: Partial<Record<ModelTier, ModelPrice>>;
  /** Why the meter cannot price the calls, or ''. */
  pricesNote: string;
  calls: readonly MeteredCall[];
  /** N-model mode: the page's models (undefined in the two-model mode) and the calls they answered. */
  models: readonly ChatModel[] | undefined;
  modelCalls: readonly ModelMeteredCall[];
  /** A prompt is being routed or answered. */
  busy: boolean;
  /** The prompt being routed on the device: no decision yet. */
  routing: boolean;
}

/** The strong-call share when the page sets neither `threshold` nor `strong-pct`. */
export const DEFAULT_STRONG_PCT = 0.5;

/** The element's settings, named as its properties are, read whenever the session needs them. */
export interface ChatSettings {
  relayUrl: string;
  router: string;
  threshold: number | undefined;
  strongPct: number | undefined;
  strongModel: string;
  weakModel: string;
  device: 'auto' | 'wasm' | 'webgpu';
  modelBaseUrl: string;
  /** The router's weights folder, e.g. a folder `npm run train` wrote; empty or absent: `<modelBaseUrl>routers/<router>/`. */
  weightsUrl?: string;
  fallback: ModelTier | 'error';
  /** Lets a router fetch its model from the Hugging Face Hub (causal-llm's is not served locally). */
  allowRemoteModels: boolean;
  worker: WorkerClient | undefined;
  /**
   * N-model mode: the models to choose among (an array, or the `models` attribute's JSON). Absent or empty: the
   * two-model mode.
   */
  models?: readonly ChatModel[] | string | undefined;
  /** N-model mode: lambda of the costWeight policy (default DEFAULT_COST_WEIGHT). */
  costWeight?: number | undefined;
}

/** Which settings changed since the last update: lit's PropertyValues, or a Set in tests. */
export interface ChangedSettings {
  has(name: keyof ChatSettings): boolean;
}

export interface ChatSessionOptions {
  settings: () => ChatSettings;
  onDecision: (detail: RouteDecisionDetail) => void;
  onError: (detail: RouteErrorDetail) => void;
  /** The SDK's factories, replaced in tests. */
  createRouter?: (options: RouterOptions) => PromptRouter;
  /** The SDK's many-model factory, replaced in tests. */
  createModelRouter?: (options: ModelRouterOptions) => ModelRouter;
  createClient?: (options: ClientOptions) => RouteLLMClient;
}

const ROUTER_SETTINGS = [
  'router',
  'device',
  'modelBaseUrl',
  'weightsUrl',
  'fallback',
  'strongModel',
  'weakModel',
  'worker',
  'models',
  'costWeight',
] as const;

/**
 * One `<route-chat>` conversation: the router's lifecycle, the streamed answers, their cost and their failures,
 * with no DOM, so a test drives it with a fake host. The host renders `state` and turns the callbacks into events.
 */
/** Token counts as the provider reports them in a stream's last chunk. */
type TokenUsage = { prompt_tokens: number; completion_tokens: number };

/** What routing a prompt decides: the relay model to call, the answer's turn, and how its cost is metered. */
interface Routed {
  readonly model: string;
  readonly turn: ChatTurn;
  readonly meter: (content: string, usage: TokenUsage | undefined) => void;
}

export class ChatSession implements ReactiveController {
  private current: ChatState = {
    turns: [],
    load: { kind: 'loading', progress: 0 },
    error: undefined,
    prices: {},
    pricesNote: '',
    calls: [],
    models: undefined,
    modelCalls: [],
    busy: false,
    routing: false,
  };
  private promptRouter: PromptRouter | undefined;
  private modelRouter: ModelRouter | undefined;
  private client: RouteLLMClient | undefined;
  private inFlight: AbortController | undefined;
  private connected = false;
  /** The first applySettings builds the router: a connection before it must not build a second one. */
  private configured = false;
  private readonly settings: () => ChatSettings;
  private readonly onDecision: (detail: RouteDecisionDetail) => void;
  private readonly onError: (detail: RouteErrorDetail) => void;
  private readonly createRouter: (options: RouterOptions) => PromptRouter;
  private readonly createClient: (options: ClientOptions) => RouteLLMClient;
  private readonly createModelRouter: (options: ModelRouterOptions) => ModelRouter;

  constructor(
    private readonly host: ReactiveControllerHost,
    options: ChatSessionOptions,
  ) {
    this.settings = options.settings;
    this.onDecision = options.onDecision;
    this.onError = options.onError;
    this.createRouter = options.createRouter ?? createRouter;
    this.createClient = options.createClient ?? createClient;
    this.createModelRouter = options.createModelRouter ?? ((routerOptions) => createRouter(routerOptions));
    host.addController(this);
  }

  get state(): Readonly<ChatState> {
    return this.current;
  }

  hostConnected(): void {
    this.connected = true;
    // Moved in the DOM: the router was released when the element left, and no setting changed since.
    if (this.configured) this.ensureActiveRouter();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.inFlight?.abort();
    this.releaseRouters();
  }

  /** Applies changed settings; the host calls it before each render. */
  applySettings(changed: ChangedSettings): void {
    if (ROUTER_SETTINGS.some((name) => changed.has(name)) && this.connected) {
      this.releaseRouters();
      this.ensureActiveRouter();
    } else if (this.promptRouter && (changed.has('threshold') || changed.has('strongPct'))) {
      this.applyPolicy(this.promptRouter);
    }
    if (changed.has('relayUrl') || changed.has('strongModel') || changed.has('weakModel')) {
      this.client = undefined;
      void this.loadPrices();
    }
    this.configured = true;
  }

  /** Whether `send` would take this prompt now. */
  canSend(prompt: string): boolean {
    return !this.current.busy && prompt.trim() !== '';
  }

  /** Routes a prompt and streams the chosen model's answer; resolves when the answer is complete or failed. */
  async send(prompt: string): Promise<void> {
    if (!this.canSend(prompt)) return;
    const text = prompt.trim();
    const history: ChatCompletionMessageParam[] = [
      ...this.current.turns.filter((turn) => !turn.failed).map(({ role, content }) => ({ role, content })),
      { role: 'user', content: text },
    ];
    this.set({
      error: undefined,
      turns: [...this.current.turns, { role: 'user', content: text }],
      busy: true,
      routing: true,
    });
    const controller = new AbortController();
    this.inFlight = controller;
    let answer: ChatTurn | undefined;
    let meter: ((content: string, usage: TokenUsage | undefined) => void) | undefined;
    try {
      const routed = this.nModelMode()
        ? await this.routeToModels(text, history, controller.signal)
        : await this.routeToPair(text, history, controller.signal);
      answer = routed.turn;
      meter = routed.meter;
      this.set({ turns: [...this.current.turns, answer], routing: false });
      const stream = await this.ensureClient().chat.completions.create(
        { model: routed.model, messages: history, stream: true, stream_options: { include_usage: true } },
        { signal: controller.signal },
      );
      let usage: TokenUsage | undefined;
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta.content ?? '';
        answer = { ...answer, content: answer.content + delta, answeredBy: chunk.model || answer.answeredBy };
        this.replaceLast(answer);
        if (chunk.usage) usage = chunk.usage;
      }
      answer = { ...answer, streaming: false };
      this.replaceLast(answer);
      meter(answer.content, usage);
      // The relay may have been down when the element loaded: now that it answered, its prices can be read.
      if (this.current.pricesNote) void this.loadPrices();
    } catch (error) {
      const aborted = error instanceof RouteError && error.code === 'aborted';
      if (answer) {
        const ended = aborted ? 'stopped' : answer.content === '' ? undefined : 'cut-off';
        this.replaceLast({
          ...answer,
          streaming: false,
          failed: answer.content === '',
          ...(ended && { ended }),
        });
        // The provider was asked, so the prompt is paid for: a stopped or cut-off answer counts what it streamed.
        if (ended) meter?.(answer.content, undefined);
      }
      if (!aborted) this.reportError(error);
    } finally {
      this.set({ busy: false, routing: false });
      this.inFlight = undefined;
    }
  }

  /** Stops the answer being streamed. */
  stop(): void {
    this.inFlight?.abort();
  }

  /** Whether the page gave a list of models: each prompt then chooses among them (the N-model mode). */
  private nModelMode(): boolean {
    const { models } = this.settings();
    return models !== undefined && models !== '' && !(Array.isArray(models) && models.length === 0);
  }

  /** The two-model send's routing: strong or weak, the answer's turn, and how its cost is metered. */
  private async routeToPair(text: string, history: ChatCompletionMessageParam[], signal: AbortSignal): Promise<Routed> {
    const decision = await this.ensureRouter().route(history, { signal });
    this.onDecision({ decision, prompt: text });
    return {
      model: decision.model,
      turn: { role: 'assistant', content: '', decision, why: explainDecision(decision, text), streaming: true },
      meter: (content, usage) => this.meter(decision.tier, history, content, usage),
    };
  }

  /** The N-model send's routing: the model router chooses, the chosen model's relay alias answers. */
  private async routeToModels(
    text: string,
    history: ChatCompletionMessageParam[],
    signal: AbortSignal,
  ): Promise<Routed> {
    const choice = await this.ensureModelRouter().route(history, { signal });
    this.onDecision({ choice, prompt: text });
    const chosen = this.current.models?.find((model) => model.name === choice.model);
    const relayModel = chosen?.relayModel ?? choice.model;
    return {
      model: relayModel,
      turn: { role: 'assistant', content: '', choice, relayModel, why: choice.why, streaming: true },
      meter: (content, usage) => this.meterModel(choice, history, content, usage),
    };
  }

  private meterModel(
    choice: ModelDecision,
    history: readonly ChatCompletionMessageParam[],
    content: string,
    usage: TokenUsage | undefined,
  ): void {
    const call: ModelMeteredCall = {
      model: choice.model,
      inputTokens:
        usage?.prompt_tokens ?? estimateTokens(history.map((message) => String(message.content ?? '')).join('\n')),
      outputTokens: usage?.completion_tokens ?? estimateTokens(content),
      measured: usage !== undefined,
      qualities: Object.fromEntries(choice.estimates.map((estimate) => [estimate.model, estimate.quality])),
    };
    this.set({ modelCalls: [...this.current.modelCalls, call] });
  }

  private ensureActiveRouter(): void {
    if (!this.nModelMode()) {
      this.set({ models: undefined });
      this.ensureRouter();
      return;
    }
    try {
      this.ensureModelRouter();
    } catch {
      // Reported by ensureModelRouter; the load state says the router is unavailable.
    }
  }

  private releaseRouters(): void {
    void this.promptRouter?.dispose();
    this.promptRouter = undefined;
    void this.modelRouter?.dispose();
    this.modelRouter = undefined;
  }

  /**
   * The N-model router: `irt` (DEFAULT_MODEL_ROUTER) unless the page names a router other than the two-model
   * default, with a costWeight policy. A bad model list is reported as an input error.
   */
  private ensureModelRouter(): ModelRouter {
    if (this.modelRouter) return this.modelRouter;
    const settings = this.settings();
    let router: ModelRouter;
    try {
      const models = parseChatModels(settings.models) ?? [];
      const named = parseRouterModelQuietly(settings.router)?.router ?? settings.router;
      this.set({ load: { kind: 'loading', progress: 0 }, models, modelCalls: [] });
      router = this.createModelRouter({
        router: named === DEFAULT_ROUTER ? DEFAULT_MODEL_ROUTER : named,
        models: deploymentModels(models),
        policy: { costWeight: { lambda: settings.costWeight ?? DEFAULT_COST_WEIGHT } },
        ...this.loadSettings(settings, () => this.modelRouter === router),
      });
    } catch (error) {
      this.loadFailed(error);
      throw error;
    }
    this.modelRouter = router;
    router.ready.then(
      (info) => {
        if (this.modelRouter === router) this.set({ load: { kind: 'ready', info } });
      },
      (error: unknown) => {
        if (this.modelRouter !== router) return;
        this.loadFailed(error);
      },
    );
    return router;
  }

  private meter(
    tier: ModelTier,
    history: readonly ChatCompletionMessageParam[],
    content: string,
    usage: TokenUsage | undefined,
  ): void {
    this.set({
      calls: [
        ...this.current.calls,
        {
          tier,
          inputTokens:
            usage?.prompt_tokens ?? estimateTokens(history.map((message) => String(message.content ?? '')).join('\n')),
          outputTokens: usage?.completion_tokens ?? estimateTokens(content),
          measured: usage !== undefined,
        },
      ],
    });
  }

  /** Where and how either kind of router loads, and its progress shown while it is still the current one. */
  private loadSettings(settings: ChatSettings, isCurrent: () => boolean) {
    return {
      device: settings.device,
      modelBaseUrl: settings.modelBaseUrl,
      ...(settings.weightsUrl && { weightsUrl: settings.weightsUrl }),
      ...(settings.allowRemoteModels && { allowRemoteModels: true }),
      ...(settings.worker && { worker: settings.worker }),
      onProgress: (event: LoadProgress) => {
        if (isCurrent() && this.current.load.kind === 'loading')
          this.set({ load: { kind: 'loading', progress: event.progress } });
      },
    };
  }

  private set(patch: Partial<ChatState>): void {
    this.current = { ...this.current, ...patch };
    this.host.requestUpdate();
  }

  private ensureRouter(): PromptRouter {
    if (this.promptRouter) return this.promptRouter;
    this.set({ load: { kind: 'loading', progress: 0 } });
    const settings = this.settings();
    let router: PromptRouter;
    try {
      router = this.createRouter({
        router: parseRouterModelQuietly(settings.router)?.router ?? settings.router,
        ...(settings.threshold !== undefined
          ? { threshold: settings.threshold }
          : // The router's calibration table sets the first threshold; the user's own traffic takes over once there is enough of it.
            { strongPct: settings.strongPct ?? DEFAULT_STRONG_PCT, adaptive: true }),
        strongModel: settings.strongModel,
        weakModel: settings.weakModel,
        fallback: settings.fallback,
        ...this.loadSettings(settings, () => this.promptRouter === router),
      });
    } catch (error) {
      this.loadFailed(error);
      throw error;
    }
    this.promptRouter = router;
    router.ready.then(
      (status) => {
        if (this.promptRouter !== router) return;
        if (status.state === 'ready') {
          this.set({ load: { kind: 'ready', info: status.info } });
        } else {
          const reason = `Router '${router.name}' could not load (${status.error.message.replace(/\.$/, '')}). The ${this.settings().fallback} model answers every prompt.`;
          this.set({ load: { kind: 'fallback', reason } });
          this.emitError('router_failed', status.error, reason);
        }
      },
      (error: unknown) => {
        if (this.promptRouter !== router) return;
        this.loadFailed(error);
      },
    );
    return router;
  }

  private applyPolicy(router: PromptRouter): void {
    const { threshold, strongPct } = this.settings();
    if (threshold !== undefined) router.setThreshold(threshold);
    else if (strongPct !== undefined) router.setStrongPct(strongPct);
  }

  private ensureClient(): RouteLLMClient {
    const { relayUrl } = this.settings();
    if (!relayUrl)
      throw new RelayError('Set the relay-url attribute to the relay that answers (e.g. http://127.0.0.1:8787).', 0);
    this.client ??= this.createClient({ relayUrl });
    return this.client;
  }

  private async loadPrices(): Promise<void> {
    this.set({ prices: {}, pricesNote: '' });
    if (!this.settings().relayUrl) return;
    let models: Awaited<ReturnType<RouteLLMClient['models']['list']>>;
    try {
      models = await this.ensureClient().models.list();
    } catch (error) {
      this.set({ pricesNote: 'prices unknown: the relay did not answer' });
      this.reportError(error);
      return;
    }
    const { strongModel, weakModel } = this.settings();
    const priceOf = (alias: string) => models.find((model) => model.id === alias)?.pricing;
    const strong = priceOf(strongModel);
    const weak = priceOf(weakModel);
    const missing = [!strong && strongModel, !weak && weakModel].filter(Boolean).join(' and ');
    this.set({
      prices: { ...(strong && { strong }), ...(weak && { weak }) },
      pricesNote: missing && `prices unknown: the relay does not list ${missing}`,
    });
  }

  private replaceLast(turn: ChatTurn): void {
    this.set({ turns: [...this.current.turns.slice(0, -1), turn] });
  }

  /** A router that cannot be created or loaded: the status says why, and the error is reported. */
  private loadFailed(error: unknown): void {
    this.set({ load: { kind: 'failed', message: errorMessage(error) } });
    this.reportError(error);
  }

  private reportError(error: unknown): void {
    const { kind, error: failure, message } = classifyError(error);
    this.emitError(kind, failure, message);
  }

  private emitError(kind: RouteChatErrorKind, error: Error, message: string): void {
    const detail: RouteErrorDetail = { kind, error, message };
    if (kind !== 'router_failed' || this.current.load.kind !== 'fallback') this.set({ error: detail });
    this.onError(detail);
  }
}

/** Which `route-error` kind a failure is, with the sentence to show for it. */
export function classifyError(error: unknown): RouteErrorDetail {
  const failure = error instanceof Error ? error : new Error(errorMessage(error));
  if (failure instanceof RelayError) {
    if (failure.code === 'relay_unreachable') {
      return {
        kind: 'relay_unreachable',
        error: failure,
        message: `${failure.message.replace(/ Is it running\?.*$/, '')} Is it running? Start it with npm run relay (or npm start).`,
      };
    }
    if (failure.relayCode === 'model_unavailable')
      return { kind: 'no_key', error: failure, message: `No provider key: ${failure.message}` };
    return { kind: 'relay', error: failure, message: failure.message };
  }
  if (failure instanceof RouteError && failure.code === 'worker_crashed')
    return { kind: 'worker_crashed', error: failure, message: failure.message };
  if (failure instanceof RouteError && failure.code === 'invalid_input')
    return { kind: 'input', error: failure, message: failure.message };
  return { kind: 'router_failed', error: failure, message: failure.message };
}

/** The router model string's parts, or undefined for a plain name or a malformed string (which createRouter reports). */
export function parseRouterModelQuietly(router: string): RouterModelString | undefined {
  try {
    return parseRouterModel(router);
  } catch {
    return undefined;
  }
}
