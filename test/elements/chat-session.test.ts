import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { describe, expect, it, vi } from 'vitest';
import {
  AbortError,
  InvalidInputError,
  RelayError,
  WorkerCrashedError,
  type ChatCompletionChunk,
  type ClientOptions,
  type PromptRouter,
  type ModelDecision,
  type ModelRouter,
  type ModelRouterOptions,
  type ModelTier,
  type RouteDecision,
  type RouterOptions,
  type RouterStatus,
  type RouteLLMClient,
} from '../../src/sdk/index.ts';
import {
  ChatSession,
  classifyError,
  type ChatSettings,
  type RouteDecisionDetail,
  type RouteErrorDetail,
} from '../../src/elements/chat-session.ts';

const SETTINGS: ChatSettings = {
  relayUrl: 'http://relay.test',
  router: 'length',
  threshold: undefined,
  strongPct: undefined,
  strongModel: 'strong',
  weakModel: 'weak',
  device: 'auto',
  modelBaseUrl: '/',
  fallback: 'strong',
  allowRemoteModels: false,
  worker: undefined,
};
const ALL_SETTINGS = new Set(Object.keys(SETTINGS) as (keyof ChatSettings)[]);

const READY: RouterStatus = {
  state: 'ready',
  info: {
    key: 'k',
    router: 'length',
    description: '',
    requires: [],
    device: 'cpu',
    deviceReason: 'no model',
    models: [],
  } as never,
};

function decisionFor(tier: ModelTier): RouteDecision {
  return {
    model: tier,
    tier,
    score: tier === 'strong' ? 0.9 : 0.1,
    threshold: 0.5,
    router: 'length',
    device: 'cpu',
    latencyMs: 1,
    truncated: false,
    calibration: 'threshold',
    strongPct: null,
    fallback: false,
  };
}

function chunk(content: string, usage?: { prompt_tokens: number; completion_tokens: number }): ChatCompletionChunk {
  return {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'provider-model',
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
    ...(usage && { usage: { ...usage, total_tokens: 0 } }),
  };
}

/** A router whose decisions and readiness a test sets; it records how it was made and used. */
function fakeRouter(options: RouterOptions, route: PromptRouter['route'], ready: Promise<RouterStatus>) {
  return {
    name: options.router ?? 'length',
    options,
    ready,
    info: undefined,
    threshold: options.threshold,
    strongPct: options.strongPct,
    route: vi.fn(route),
    routeBatch: vi.fn(),
    setThreshold: vi.fn(),
    setStrongPct: vi.fn(),
    dispose: vi.fn(async () => {}),
  };
}

interface Setup {
  route?: PromptRouter['route'];
  ready?: () => Promise<RouterStatus>;
  /** The chunks each answer streams, in call order; a function gets the request's signal. */
  answers?: (ChatCompletionChunk[] | ((signal: AbortSignal) => AsyncIterable<ChatCompletionChunk>))[];
  models?: () => Promise<{ id: string; pricing?: { input: number; output: number } }[]>;
  settings?: Partial<ChatSettings>;
  createRouter?: (options: RouterOptions) => PromptRouter;
  createModelRouter?: (options: ModelRouterOptions) => ModelRouter;
}

/** A session on a fake host, with fake router and client factories; connected and given its first settings. */
function setup(options: Setup = {}) {
  const controllers: ReactiveController[] = [];
  const host: ReactiveControllerHost = {
    addController: (controller) => controllers.push(controller),
    removeController: () => {},
    requestUpdate: vi.fn(),
    updateComplete: Promise.resolve(true),
  };
  let settings = { ...SETTINGS, ...options.settings };
  const routers: ReturnType<typeof fakeRouter>[] = [];
  const decisions: RouteDecisionDetail[] = [];
  const errors: RouteErrorDetail[] = [];
  const requests: { model: string; messages: unknown[] }[] = [];
  const answers = [
    ...(options.answers ?? [[chunk('Hello'), chunk(' there', { prompt_tokens: 12, completion_tokens: 3 })]]),
  ];
  const client = {
    chat: {
      completions: {
        create: vi.fn(async (body: { model: string; messages: unknown[] }, request: { signal: AbortSignal }) => {
          requests.push({ model: body.model, messages: body.messages });
          const answer = answers.shift() ?? [];
          return typeof answer === 'function'
            ? answer(request.signal)
            : (async function* () {
                yield* answer;
              })();
        }),
      },
    },
    models: {
      list: vi.fn(
        options.models ??
          (async () => [
            { id: 'strong', pricing: { input: 10, output: 30 } },
            { id: 'weak', pricing: { input: 1, output: 2 } },
          ]),
      ),
    },
  };
  const createClient = vi.fn<(options: ClientOptions) => RouteLLMClient>(() => client as unknown as RouteLLMClient);
  const session = new ChatSession(host, {
    settings: () => settings,
    onDecision: (detail) => decisions.push(detail),
    onError: (detail) => errors.push(detail),
    createRouter:
      options.createRouter ??
      ((routerOptions) => {
        const router = fakeRouter(
          routerOptions,
          options.route ?? (async () => decisionFor('weak')),
          options.ready?.() ?? Promise.resolve(READY),
        );
        routers.push(router);
        return router;
      }),
    createClient,
    ...(options.createModelRouter && { createModelRouter: options.createModelRouter }),
  });
  expect(controllers).toEqual([session]);
  session.hostConnected();
  const change = (patch: Partial<ChatSettings>) => {
    settings = { ...settings, ...patch };
    session.applySettings(new Set(Object.keys(patch) as (keyof ChatSettings)[]));
  };
  return {
    session,
    host,
    routers,
    decisions,
    errors,
    requests,
    client,
    createClient,
    change,
    first: () => session.applySettings(ALL_SETTINGS),
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('ChatSession', () => {
  it('routes a prompt, streams the answer into the log and meters the call with the reported usage', async () => {
    const { session, host, first, decisions, requests, errors } = setup();
    first();
    await session.send('  What is 2+2?  ');
    expect(decisions).toEqual([{ decision: decisionFor('weak'), prompt: 'What is 2+2?' }]);
    expect(requests).toEqual([{ model: 'weak', messages: [{ role: 'user', content: 'What is 2+2?' }] }]);
    expect(session.state.turns).toEqual([
      { role: 'user', content: 'What is 2+2?' },
      {
        role: 'assistant',
        content: 'Hello there',
        decision: decisionFor('weak'),
        why: 'Answered by the cheap model: the length router only measures length, and this prompt is short (12 characters); its score 0.100 is below the threshold 0.500.',
        answeredBy: 'provider-model',
        streaming: false,
      },
    ]);
    expect(session.state.calls).toEqual([{ tier: 'weak', inputTokens: 12, outputTokens: 3, measured: true }]);
    expect(session.state.busy).toBe(false);
    expect(errors).toEqual([]);
    expect(host.requestUpdate).toHaveBeenCalled();
  });

  it('sends the conversation so far, estimates tokens without a usage report, and refuses empty prompts and prompts while busy', async () => {
    const { session, first, requests } = setup({ answers: [[chunk('Four.')], [chunk('Eight.')]] });
    first();
    expect(session.canSend('   ')).toBe(false);
    await session.send('   ');
    expect(session.state.turns).toEqual([]);
    const sending = session.send('2+2?');
    expect(session.state.busy).toBe(true);
    expect(session.canSend('again')).toBe(false);
    await session.send('ignored while busy');
    await sending;
    await session.send('Double it.');
    expect(requests[1]!.messages).toEqual([
      { role: 'user', content: '2+2?' },
      { role: 'assistant', content: 'Four.' },
      { role: 'user', content: 'Double it.' },
    ]);
    // About four characters a token: the whole history is the second call's input.
    expect(session.state.calls).toEqual([
      { tier: 'weak', inputTokens: 1, outputTokens: 2, measured: false },
      { tier: 'weak', inputTokens: Math.ceil('2+2?\nFour.\nDouble it.'.length / 4), outputTokens: 2, measured: false },
    ]);
    expect(session.state.turns.map((turn) => turn.content)).toEqual(['2+2?', 'Four.', 'Double it.', 'Eight.']);
  });

  it('passes the settings to the router: a model string is split, and the strong share defaults to 0.5', () => {
    const defaults = setup();
    defaults.first();
    expect(defaults.routers[0]!.options).toMatchObject({
      router: 'length',
      strongPct: 0.5,
      strongModel: 'strong',
      weakModel: 'weak',
      device: 'auto',
      modelBaseUrl: '/',
      fallback: 'strong',
    });
    expect(defaults.routers[0]!.options).not.toHaveProperty('threshold');
    expect(defaults.routers[0]!.options).not.toHaveProperty('worker');
    const modelString = setup({ settings: { router: 'router-mf-0.25', threshold: 0.25 } });
    modelString.first();
    expect(modelString.routers[0]!.options).toMatchObject({ router: 'mf', threshold: 0.25 });
    expect(modelString.routers[0]!.options).not.toHaveProperty('strongPct');
  });

  it('moves the threshold of the loaded router, but loads a new router when a router setting changes', () => {
    const { routers, first, change } = setup();
    first();
    change({ threshold: 0.7 });
    expect(routers).toHaveLength(1);
    expect(routers[0]!.setThreshold).toHaveBeenCalledWith(0.7);
    change({ device: 'wasm' });
    expect(routers[0]!.dispose).toHaveBeenCalled();
    expect(routers).toHaveLength(2);
    expect(routers[1]!.options).toMatchObject({ device: 'wasm', threshold: 0.7 });
    change({ threshold: undefined, strongPct: 0.2 });
    expect(routers[1]!.setStrongPct).toHaveBeenCalledWith(0.2);
  });

  it('releases the router when the host leaves the page and loads it again when it comes back', async () => {
    let release: (() => void) | undefined;
    const { session, routers, first, errors } = setup({
      answers: [
        (signal) =>
          (async function* () {
            yield chunk('partial');
            await new Promise<void>((resolve) => (release = resolve));
            if (signal.aborted) throw new AbortError();
          })(),
      ],
    });
    first();
    const sending = session.send('Tell me a long story.');
    await vi.waitFor(() => expect(release).toBeDefined());
    session.hostDisconnected();
    release!();
    await sending;
    expect(routers[0]!.dispose).toHaveBeenCalled();
    expect(session.state.turns.at(-1)).toMatchObject({ content: 'partial', streaming: false, failed: false });
    expect(errors).toEqual([]);
    session.hostConnected();
    expect(routers).toHaveLength(2);
  });

  it('builds no router on connection before the first settings, nor on a settings change while disconnected', () => {
    const { session, routers, first, change } = setup();
    expect(routers).toHaveLength(0);
    session.hostDisconnected();
    first();
    change({ router: 'random' });
    expect(routers).toHaveLength(0);
    session.hostConnected();
    expect(routers.map((router) => router.name)).toEqual(['random']);
  });

  it('stops an answer without reporting an error, labels it stopped, counts it, and marks it failed when it had no text', async () => {
    const { session, first, errors } = setup({
      answers: [
        (signal) =>
          (async function* () {
            await new Promise((resolve) => signal.addEventListener('abort', resolve));
            throw new AbortError();
          })(),
      ],
    });
    first();
    const sending = session.send('Hi');
    await vi.waitFor(() => expect(session.state.turns).toHaveLength(2));
    session.stop();
    await sending;
    expect(session.state.turns.at(-1)).toMatchObject({
      role: 'assistant',
      content: '',
      streaming: false,
      failed: true,
      ended: 'stopped',
    });
    // The provider was asked: the meter counts the prompt.
    expect(session.state.calls).toMatchObject([{ tier: 'weak', outputTokens: 1, measured: false }]);
    expect(errors).toEqual([]);
    expect(session.state.error).toBeUndefined();
    expect(session.state.busy).toBe(false);
  });

  it('leaves a failed answer out of the next request and clears the error when the next prompt goes out', async () => {
    const noKey = new RelayError(
      'Model "weak" is not available: set the environment variable WEAK_KEY.',
      503,
      undefined,
      { relayCode: 'model_unavailable' },
    );
    const { session, first, errors, requests } = setup({
      answers: [
        // A stream that fails before its first chunk, as the relay's 503 does.
        // biome-ignore lint/correctness/useYield: it throws before it could yield
        async function* () {
          throw noKey;
        } as () => AsyncIterable<ChatCompletionChunk>,
        [chunk('OK')],
      ],
    });
    first();
    await session.send('First');
    expect(errors.map((error) => [error.kind, error.message])).toEqual([
      ['no_key', 'No provider key: Model "weak" is not available: set the environment variable WEAK_KEY.'],
    ]);
    expect(session.state.error?.kind).toBe('no_key');
    expect(session.state.turns.at(-1)).toMatchObject({ failed: true });
    await session.send('Second');
    expect(session.state.error).toBeUndefined();
    expect(requests[1]!.messages).toEqual([
      { role: 'user', content: 'First' },
      { role: 'user', content: 'Second' },
    ]);
  });

  it('reports a router that fell back as a notice, not as an error on show', async () => {
    const failure = new Error('weights missing.');
    const { session, first, errors } = setup({
      ready: async () => ({ state: 'fallback', error: failure as never }),
      settings: { router: 'mf' },
    });
    first();
    await settle();
    const reason = "Router 'mf' could not load (weights missing). The strong model answers every prompt.";
    expect(session.state.load).toEqual({ kind: 'fallback', reason });
    expect(errors).toEqual([{ kind: 'router_failed', error: failure, message: reason }]);
    expect(session.state.error).toBeUndefined();
  });

  it('says the router is ready, with its info, and ignores a replaced router that finishes loading late', async () => {
    let finishFirst: ((status: RouterStatus) => void) | undefined;
    const readies = [new Promise<RouterStatus>((resolve) => (finishFirst = resolve)), Promise.resolve(READY)];
    const { session, first, change } = setup({ ready: () => readies.shift()! });
    first();
    expect(session.state.load).toEqual({ kind: 'loading', progress: 0 });
    change({ router: 'random' });
    await settle();
    expect(session.state.load).toEqual({ kind: 'ready', info: READY.state === 'ready' && READY.info });
    finishFirst!({ state: 'fallback', error: new Error('late') as never });
    await settle();
    expect(session.state.load.kind).toBe('ready');
  });

  it('reports a router the SDK refuses as an input error, and stops the update', () => {
    const refusal = new InvalidInputError('"Bad Name" is not a router name.');
    const { session, errors, first } = setup({
      createRouter: () => {
        throw refusal;
      },
    });
    expect(first).toThrow(refusal);
    expect(session.state.load).toEqual({ kind: 'failed', message: refusal.message });
    expect(errors).toEqual([{ kind: 'input', error: refusal, message: refusal.message }]);
  });

  it("reads the relay's prices for both aliases, and says which it does not list", async () => {
    const listed = setup();
    listed.first();
    await settle();
    expect(listed.session.state.prices).toEqual({ strong: { input: 10, output: 30 }, weak: { input: 1, output: 2 } });
    expect(listed.session.state.pricesNote).toBe('');
    const unlisted = setup({ models: async () => [{ id: 'strong', pricing: { input: 10, output: 30 } }] });
    unlisted.first();
    await settle();
    expect(unlisted.session.state.prices).toEqual({ strong: { input: 10, output: 30 } });
    expect(unlisted.session.state.pricesNote).toBe('prices unknown: the relay does not list weak');
  });

  it('reads the prices again once a relay that was down has answered', async () => {
    let up = false;
    const down = new RelayError(
      'The relay at http://relay.test could not be reached. Is it running? (fetch failed)',
      0,
    );
    const { session, first, errors, client } = setup({
      models: async () => {
        if (!up) throw down;
        return [
          { id: 'strong', pricing: { input: 10, output: 30 } },
          { id: 'weak', pricing: { input: 1, output: 2 } },
        ];
      },
    });
    first();
    await settle();
    expect(session.state.pricesNote).toBe('prices unknown: the relay did not answer');
    expect(errors).toEqual([
      {
        kind: 'relay_unreachable',
        error: down,
        message:
          'The relay at http://relay.test could not be reached. Is it running? Start it with npm run relay (or npm start).',
      },
    ]);
    up = true;
    await session.send('Hi');
    await settle();
    expect(client.models.list).toHaveBeenCalledTimes(2);
    expect(session.state.pricesNote).toBe('');
    expect(session.state.prices.weak).toEqual({ input: 1, output: 2 });
  });

  it('makes a new client when the relay changes, and asks for a relay-url when there is none', async () => {
    const { session, first, change, createClient, errors } = setup();
    first();
    await session.send('Hi');
    change({ relayUrl: 'http://other.test' });
    await session.send('Hi again');
    expect(createClient.mock.calls.map(([options]) => options)).toEqual([
      { relayUrl: 'http://relay.test' },
      { relayUrl: 'http://other.test' },
    ]);
    change({ relayUrl: '' });
    await session.send('Anyone?');
    expect(errors.at(-1)).toMatchObject({
      kind: 'relay_unreachable',
      message: expect.stringContaining('Set the relay-url attribute'),
    });
  });
});

describe('classifyError', () => {
  it('maps each failure to the route-error kind a host page can react to', () => {
    const relay = new RelayError('Bad request.', 400);
    expect(classifyError(relay)).toEqual({ kind: 'relay', error: relay, message: 'Bad request.' });
    const crash = new WorkerCrashedError('The router worker crashed.');
    expect(classifyError(crash)).toEqual({
      kind: 'worker_crashed',
      error: crash,
      message: 'The router worker crashed.',
    });
    const input = new InvalidInputError('Empty prompt.');
    expect(classifyError(input).kind).toBe('input');
    const other = new Error('Out of memory.');
    expect(classifyError(other)).toEqual({ kind: 'router_failed', error: other, message: 'Out of memory.' });
  });

  it('wraps a thrown non-Error in an Error', () => {
    const detail = classifyError('boom');
    expect(detail.error).toBeInstanceOf(Error);
    expect(detail).toMatchObject({ kind: 'router_failed', message: 'boom' });
  });
});

describe('ChatSession with a models list (N-model mode)', () => {
  const MODELS = [
    { name: 'gpt-4o-2024-05-13', inputPrice: 5, outputPrice: 15, relayModel: 'strong' },
    { name: 'Meta-Llama-3.1-8B-Instruct', inputPrice: 0.18, outputPrice: 0.18, relayModel: 'weak' },
  ];
  const CHOICE: ModelDecision = {
    model: 'Meta-Llama-3.1-8B-Instruct',
    quality: 0.6,
    expectedCostUsd: 0.00006,
    estimates: [
      { model: 'gpt-4o-2024-05-13', quality: 0.62, expectedCostUsd: 0.0045 },
      { model: 'Meta-Llama-3.1-8B-Instruct', quality: 0.6, expectedCostUsd: 0.00006 },
    ],
    policy: { costWeight: { lambda: 10 } },
    why: 'Meta-Llama-3.1-8B-Instruct has the best quality - 10.0 x cost',
    router: 'irt',
    mapping: {},
    device: 'wasm',
    latencyMs: 2,
    truncated: false,
  };

  function modelSetup(settings: Partial<ChatSettings>) {
    const made: ModelRouterOptions[] = [];
    const route = vi.fn(async () => CHOICE);
    const context = setup({
      settings,
      createModelRouter: (options) => {
        made.push(options);
        return {
          name: options.router ?? 'irt',
          models: options.models,
          ready: Promise.resolve((READY as Extract<RouterStatus, { state: 'ready' }>).info),
          policy: undefined,
          route,
          routeBatch: vi.fn(),
          dispose: vi.fn(async () => {}),
        };
      },
    });
    return { ...context, made, route };
  }

  it('routes with the model router (irt, costWeight), calls the chosen model’s relay alias and meters that model', async () => {
    const { session, first, made, routers, decisions, requests, errors } = modelSetup({ models: MODELS });
    first();
    await session.send('Hi!');
    expect(routers).toEqual([]);
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({
      router: 'irt',
      policy: { costWeight: { lambda: 10 } },
      models: [
        { name: 'gpt-4o-2024-05-13', inputPrice: 5, outputPrice: 15 },
        { name: 'Meta-Llama-3.1-8B-Instruct', inputPrice: 0.18, outputPrice: 0.18 },
      ],
    });
    expect(made[0]!.models[0]).not.toHaveProperty('relayModel');
    expect(decisions).toEqual([{ choice: CHOICE, prompt: 'Hi!' }]);
    expect(requests).toEqual([{ model: 'weak', messages: [{ role: 'user', content: 'Hi!' }] }]);
    expect(session.state.turns[1]).toEqual({
      role: 'assistant',
      content: 'Hello there',
      choice: CHOICE,
      relayModel: 'weak',
      why: CHOICE.why,
      answeredBy: 'provider-model',
      streaming: false,
    });
    expect(session.state.models).toEqual(MODELS);
    expect(session.state.calls).toEqual([]);
    expect(session.state.modelCalls).toEqual([
      {
        model: 'Meta-Llama-3.1-8B-Instruct',
        inputTokens: 12,
        outputTokens: 3,
        measured: true,
        qualities: { 'gpt-4o-2024-05-13': 0.62, 'Meta-Llama-3.1-8B-Instruct': 0.6 },
      },
    ]);
    expect(errors).toEqual([]);
  });

  it('takes the models attribute’s JSON and a cost weight, and rebuilds the router when either changes', async () => {
    const { first, made, change } = modelSetup({ models: JSON.stringify(MODELS), costWeight: 50 });
    first();
    expect(made[0]!.policy).toEqual({ costWeight: { lambda: 50 } });
    change({ costWeight: 5 });
    expect(made[1]!.policy).toEqual({ costWeight: { lambda: 5 } });
  });

  it('reports a bad models list as an input error and routes nothing', async () => {
    const { session, first, made, errors, requests } = modelSetup({ models: '[{"name":' });
    first();
    expect(session.state.load.kind).toBe('failed');
    expect(errors.map((error) => error.kind)).toEqual(['input']);
    await session.send('Hi!');
    expect(made).toEqual([]);
    expect(requests).toEqual([]);
    expect(errors.at(-1)!.message).toMatch(/models attribute must be JSON/);
  });

  it('goes back to the two-model mode when the list is removed', async () => {
    const { session, first, change, routers, requests } = modelSetup({ models: MODELS });
    first();
    change({ models: undefined });
    await session.send('Hi!');
    expect(routers).toHaveLength(1);
    expect(requests.map((request) => request.model)).toEqual(['weak']);
    expect(session.state.models).toBeUndefined();
  });
});
