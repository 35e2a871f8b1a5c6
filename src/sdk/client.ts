import { AbortError, errorMessage, InvalidInputError, RelayError, parseRouterModel } from '../core/index.ts';
import { ChatCompletionStream } from './chat-stream.ts';
import {
  createModelRouter,
  type DeploymentModel,
  type ModelDecision,
  type ModelRouter,
  type ModelRouterOptions,
} from './model-router.ts';
import { createRouter, type PromptRouter, type RouteDecision, type RouterOptions } from './prompt-router.ts';
import type {
  ChatCompletion,
  ChatCompletionCreateParams,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
  RelayModel,
} from './openai-types.ts';
import { relayApiBase, relayFetch } from './relay-http.ts';

export interface ClientOptions {
  /** The relay's URL, e.g. `http://127.0.0.1:8787` (a URL ending in `/v1` is taken as its API base). */
  relayUrl: string | URL;
  /** The relay's client token, when it requires one (sent as `Authorization: Bearer`). Never a provider key. */
  apiKey?: string;
  /** Extra headers for every relay request. */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /** Settings for the routers that model strings name (`strongModel`, `device`, `modelBaseUrl`, `fallback`, ...). */
  router?: Omit<RouterOptions, 'router' | 'threshold' | 'strongPct' | 'calibrationPrompts' | 'adaptive'>;
  /**
   * What `model: 'router-auto'` chooses among and how: the relay's models (by alias) with their prices (a model
   * without `inputPrice` / `outputPrice` takes the `pricing` the relay's /v1/models lists; without `models`, every
   * relay model that lists one) and a policy. Each model is predicted as itself, as the known model named by `like`,
   * or placed by its `scores` or `labels` (see DeploymentModel).
   */
  auto?: Omit<ModelRouterOptions, 'models'> & { models?: readonly AutoModel[] };
}

/** A model of ClientOptions.auto: prices may come from the relay instead. */
export type AutoModel = Omit<DeploymentModel, 'inputPrice' | 'outputPrice'> & Partial<DeploymentModel>;

/** The model string that chooses among N priced models (ClientOptions.auto). */
export const AUTO_ROUTER_MODEL = 'router-auto';

export interface RequestOptions {
  signal?: AbortSignal;
}

/** A non-streamed answer, with the routing decision that chose its model (undefined when the request named one). */
export type RoutedChatCompletion = ChatCompletion & {
  routing: RouteDecision | undefined;
  /** With `model: 'router-auto'`: the choice among N models. */
  choice?: ModelDecision;
};

export interface ChatCompletions {
  create(body: ChatCompletionCreateParamsStreaming, options?: RequestOptions): Promise<ChatCompletionStream>;
  create(body: ChatCompletionCreateParamsNonStreaming, options?: RequestOptions): Promise<RoutedChatCompletion>;
  create(
    body: ChatCompletionCreateParams,
    options?: RequestOptions,
  ): Promise<ChatCompletionStream | RoutedChatCompletion>;
}

/**
 * An OpenAI-shaped client for the relay that routes on the device: `model: 'router-mf-0.1159'` scores the last
 * user message in the router worker, then asks the relay for the chosen model; any other model name goes to the
 * relay as it is. Errors are the RouteError family: RelayError (with the relay's status and code), AbortError,
 * InvalidInputError, WorkerCrashedError.
 */
export class RouteLLMClient {
  readonly chat: { completions: ChatCompletions };
  readonly models: { list(options?: RequestOptions): Promise<RelayModel[]> };
  private readonly apiBase: string;
  private readonly fetchImpl: typeof fetch;
  private readonly headers: Record<string, string>;
  private readonly routerSettings: ClientOptions['router'];
  private readonly routers = new Map<string, PromptRouter>();
  private readonly autoSettings: ClientOptions['auto'];
  private autoRouter: Promise<ModelRouter> | undefined;

  constructor(options: ClientOptions) {
    if (typeof options !== 'object' || options === null)
      throw new InvalidInputError('createClient needs an options object.');
    try {
      this.apiBase = relayApiBase(options.relayUrl);
    } catch {
      throw new InvalidInputError(`relayUrl must be a URL, got ${JSON.stringify(String(options.relayUrl))}.`);
    }
    if (options.apiKey !== undefined && (typeof options.apiKey !== 'string' || options.apiKey === ''))
      throw new InvalidInputError('apiKey must be a non-empty string.');
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.headers = {
      ...options.headers,
      ...(options.apiKey !== undefined && { authorization: `Bearer ${options.apiKey}` }),
    };
    this.routerSettings = options.router;
    this.autoSettings = options.auto;
    this.chat = { completions: { create: this.createCompletion.bind(this) as ChatCompletions['create'] } };
    this.models = { list: this.listModels.bind(this) };
  }

  /** The router a model string uses, created (and loaded in the worker) on first use; undefined for other models. */
  router(model: string): PromptRouter | undefined {
    const parsed = parseRouterModel(model);
    if (!parsed) return undefined;
    let router = this.routers.get(model);
    if (!router) {
      router = createRouter({ ...this.routerSettings, router: model });
      this.routers.set(model, router);
    }
    return router;
  }

  private async createCompletion(
    body: ChatCompletionCreateParams,
    options: RequestOptions = {},
  ): Promise<ChatCompletionStream | RoutedChatCompletion> {
    if (typeof body !== 'object' || body === null) throw new InvalidInputError('The request body must be an object.');
    if (typeof body.model !== 'string' || body.model === '')
      throw new InvalidInputError('"model" must name a relay model or a router (router-<name>-<threshold>).');
    if (!Array.isArray(body.messages) || body.messages.length === 0)
      throw new InvalidInputError('"messages" must be a non-empty array.');

    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;

    const auto = body.model === AUTO_ROUTER_MODEL;
    const router = auto ? undefined : this.router(body.model);
    const routing = router ? await router.route(body.messages, { signal }) : undefined;
    const choice = auto ? await (await this.modelRouter(signal)).route(body.messages, { signal }) : undefined;
    const request = { ...body, model: choice?.model ?? routing?.model ?? body.model };
    const response = await relayFetch(this.fetchImpl, `${this.apiBase}/chat/completions`, {
      method: 'POST',
      headers: {
        ...this.headers,
        'content-type': 'application/json',
        accept: body.stream ? 'text/event-stream' : 'application/json',
      },
      body: JSON.stringify(request),
      signal,
    });
    if (body.stream) return new ChatCompletionStream(response, routing, controller, signal, choice);
    let completion: ChatCompletion;
    try {
      completion = (await response.json()) as ChatCompletion;
    } catch (error) {
      if (signal.aborted) throw new AbortError();
      throw new RelayError(`The relay's answer is not a JSON chat completion: ${errorMessage(error)}`, 502, undefined, {
        cause: error,
      });
    }
    return { ...completion, routing, ...(choice && { choice }) };
  }

  /** The router behind 'router-auto', created on first use with prices from the config or the relay's /v1/models. */
  private modelRouter(signal: AbortSignal): Promise<ModelRouter> {
    const settings = this.autoSettings;
    if (settings === undefined) {
      throw new InvalidInputError(
        `model '${AUTO_ROUTER_MODEL}' needs the client's auto option: the models and a policy.`,
      );
    }
    this.autoRouter ??= (async () => {
      const needsPrices =
        settings.models === undefined ||
        settings.models.some((model) => model.inputPrice === undefined || model.outputPrice === undefined);
      const listed = needsPrices ? await this.listModels({ signal }) : [];
      const pricing = new Map(listed.flatMap((model) => (model.pricing ? [[model.id, model.pricing] as const] : [])));
      const models = (settings.models ?? [...pricing.keys()].map((name): AutoModel => ({ name }))).map(
        (model): DeploymentModel => {
          const price = pricing.get(model.name);
          const inputPrice = model.inputPrice ?? price?.input;
          const outputPrice = model.outputPrice ?? price?.output;
          if (inputPrice === undefined || outputPrice === undefined) {
            throw new InvalidInputError(
              `Model '${model.name}' has no price in the client's auto option or the relay's /v1/models.`,
            );
          }
          return { ...model, inputPrice, outputPrice };
        },
      );
      return createModelRouter({ ...this.routerSettings, ...settings, models });
    })();
    this.autoRouter.catch(() => {
      this.autoRouter = undefined;
    });
    return this.autoRouter;
  }

  private async listModels(options: RequestOptions = {}): Promise<RelayModel[]> {
    const signal = options.signal ?? new AbortController().signal;
    const response = await relayFetch(this.fetchImpl, `${this.apiBase}/models`, { headers: this.headers, signal });
    const list = (await response.json()) as { data?: RelayModel[] };
    return Array.isArray(list.data) ? list.data : [];
  }
}

export function createClient(options: ClientOptions): RouteLLMClient {
  return new RouteLLMClient(options);
}
