import type {
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
} from '@ai-sdk/provider';
import { generateText, simulateReadableStream, streamText } from 'ai';
import { MockLanguageModelV3, MockLanguageModelV4 } from 'ai/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routedModel, type CallRouter } from '../../src/ai-sdk/index.ts';
import { createNodeRouter } from '../../src/sdk/node.ts';
import { createLengthRouter } from '../../src/core/length-router.ts';
import { AbortError, InvalidInputError, ModelLoadError } from '../../src/core/errors.ts';

const THRESHOLD = 0.5;
const SHORT = 'hi';
const LONG = 'Explain the proof step by step. '.repeat(40);

const usage = {
  inputTokens: { total: 3, noCache: 3, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 2, text: 2, reasoning: undefined },
};

function answer(
  text: string,
  providerMetadata?: LanguageModelV4GenerateResult['providerMetadata'],
): LanguageModelV4GenerateResult {
  return {
    content: [{ type: 'text', text }],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage,
    warnings: [],
    ...(providerMetadata && { providerMetadata }),
  };
}

function streamOf(text: string, finishMetadata?: Record<string, Record<string, string>>) {
  const chunks: LanguageModelV4StreamPart[] = [
    { type: 'stream-start', warnings: [] },
    { type: 'text-start', id: 't' },
    ...text.split(' ').map(
      (word, index): LanguageModelV4StreamPart => ({
        type: 'text-delta',
        id: 't',
        delta: index === 0 ? word : ` ${word}`,
      }),
    ),
    { type: 'text-end', id: 't' },
    {
      type: 'finish',
      finishReason: { unified: 'stop', raw: 'stop' },
      usage,
      ...(finishMetadata && { providerMetadata: finishMetadata }),
    },
  ];
  return { stream: simulateReadableStream({ chunks, initialDelayInMs: null, chunkDelayInMs: null }) };
}

type MockOptions = NonNullable<ConstructorParameters<typeof MockLanguageModelV4>[0]>;

/** Two mock models (which record their calls); `strong` and `weak` replace parts of either. */
function models(overrides: { strong?: MockOptions; weak?: MockOptions } = {}) {
  return {
    strong: new MockLanguageModelV4({
      provider: 'mock-provider',
      modelId: 'strong-model',
      doGenerate: answer('from strong'),
      doStream: streamOf('strong streams'),
      ...overrides.strong,
    }),
    weak: new MockLanguageModelV4({
      provider: 'mock-provider',
      modelId: 'weak-model',
      doGenerate: answer('from weak'),
      doStream: streamOf('weak streams'),
      ...overrides.weak,
    }),
  };
}

/** Waits for the abort and rejects as an HTTP provider does. */
function untilAborted({ abortSignal }: LanguageModelV4CallOptions): Promise<never> {
  return new Promise((_, reject) =>
    abortSignal!.addEventListener('abort', () => reject(abortSignal!.reason), { once: true }),
  );
}

const lengthRouter = createNodeRouter({ router: 'length', threshold: THRESHOLD });

describe('routedModel with generateText', () => {
  it('sends a short prompt to the weak model and says why in providerMetadata.routellm', async () => {
    const { strong, weak } = models();
    const result = await generateText({ model: routedModel({ router: lengthRouter, strong, weak }), prompt: SHORT });
    expect(result.text).toBe('from weak');
    expect(strong.doGenerateCalls).toHaveLength(0);
    expect(weak.doGenerateCalls).toHaveLength(1);
    const [score] = await createLengthRouter().score([SHORT]);
    expect(result.providerMetadata?.['routellm']).toEqual({
      tier: 'weak',
      modelId: 'weak-model',
      provider: 'mock-provider',
      score,
      threshold: THRESHOLD,
      router: 'length',
      device: 'cpu',
      latencyMs: expect.any(Number),
      truncated: false,
      calibration: 'threshold',
      strongPct: null,
      fallback: false,
    });
    expect(result.response.modelId).toBe('weak-model');
  });

  it('sends a long prompt to the strong model, keeping its own metadata and response model id', async () => {
    const { strong, weak } = models({
      strong: {
        doGenerate: {
          ...answer('from strong', { openai: { cached: true } }),
          response: { modelId: 'strong-model-2026-01-01' },
        },
      },
    });
    const result = await generateText({ model: routedModel({ router: lengthRouter, strong, weak }), prompt: LONG });
    expect(result.text).toBe('from strong');
    expect(weak.doGenerateCalls).toHaveLength(0);
    expect(result.providerMetadata).toMatchObject({
      openai: { cached: true },
      routellm: { tier: 'strong', modelId: 'strong-model', threshold: THRESHOLD },
    });
    expect(result.response.modelId).toBe('strong-model-2026-01-01');
  });

  it('routes on the last user message, as RouteLLM does', async () => {
    const { strong, weak } = models();
    const result = await generateText({
      model: routedModel({ router: lengthRouter, strong, weak }),
      system: LONG,
      messages: [
        { role: 'user', content: LONG },
        { role: 'assistant', content: LONG },
        { role: 'user', content: [{ type: 'text', text: SHORT }] },
      ],
    });
    expect(result.providerMetadata?.['routellm']).toMatchObject({ tier: 'weak' });
  });

  it('hands the chosen model the call options unchanged', async () => {
    const { strong, weak } = models();
    await generateText({
      model: routedModel({ router: lengthRouter, strong, weak }),
      prompt: LONG,
      temperature: 0.2,
      maxOutputTokens: 64,
      stopSequences: ['END'],
      headers: { 'x-app': 'test' },
      providerOptions: { openai: { user: 'u1' } },
    });
    expect(strong.doGenerateCalls[0]).toMatchObject({
      temperature: 0.2,
      maxOutputTokens: 64,
      stopSequences: ['END'],
      headers: { 'x-app': 'test' },
      providerOptions: { openai: { user: 'u1' } },
      prompt: [{ role: 'user', content: [{ type: 'text', text: LONG }] }],
    });

    const direct = { prompt: [{ role: 'user' as const, content: [{ type: 'text' as const, text: SHORT }] }], seed: 7 };
    await routedModel({ router: lengthRouter, strong, weak }).doGenerate(direct);
    expect(weak.doGenerateCalls.at(-1)).toBe(direct);
  });

  it('passes the abort signal to the chosen model', async () => {
    const { strong, weak } = models({ weak: { doGenerate: untilAborted } });
    const controller = new AbortController();
    const call = generateText({
      model: routedModel({ router: lengthRouter, strong, weak }),
      prompt: SHORT,
      abortSignal: controller.signal,
    });
    await expect.poll(() => weak.doGenerateCalls.length).toBe(1);
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('passes the abort signal to the router, whose AbortError rejects the call', async () => {
    const { strong, weak } = models();
    const routing: CallRouter = {
      route: (_input, options) =>
        new Promise((_, reject) =>
          options?.signal?.addEventListener('abort', () => reject(new AbortError()), { once: true }),
        ),
    };
    const controller = new AbortController();
    const call = generateText({
      model: routedModel({ router: routing, strong, weak }),
      prompt: SHORT,
      abortSignal: controller.signal,
    });
    setTimeout(() => controller.abort(), 10);
    await expect(call).rejects.toBeInstanceOf(AbortError);
    expect([...strong.doGenerateCalls, ...weak.doGenerateCalls]).toHaveLength(0);
  });
});

describe('routedModel with streamText', () => {
  it('streams the chosen model with the decision in the finish metadata', async () => {
    const { strong, weak } = models({
      strong: { doStream: streamOf('strong streams', { anthropic: { id: 'msg_1' } }) },
    });
    const result = streamText({ model: routedModel({ router: lengthRouter, strong, weak }), prompt: LONG });
    expect(await result.text).toBe('strong streams');
    expect(await result.providerMetadata).toMatchObject({
      anthropic: { id: 'msg_1' },
      routellm: { tier: 'strong', modelId: 'strong-model', router: 'length' },
    });
    expect((await result.response).modelId).toBe('strong-model');
    expect(weak.doStreamCalls).toHaveLength(0);
  });

  it('sends a short prompt to the weak model', async () => {
    const { strong, weak } = models();
    const result = streamText({ model: routedModel({ router: lengthRouter, strong, weak }), prompt: SHORT });
    expect(await result.text).toBe('weak streams');
    expect(await result.providerMetadata).toMatchObject({ routellm: { tier: 'weak', modelId: 'weak-model' } });
    expect(strong.doStreamCalls).toHaveLength(0);
  });
});

describe('routing failures', () => {
  let emptyFolder: string;
  beforeAll(async () => {
    emptyFolder = await mkdtemp(path.join(tmpdir(), 'routellm-ai-sdk-'));
  });
  afterAll(() => rm(emptyFolder, { recursive: true, force: true }));

  it("hands every call to the router's fallback tier when the router cannot load", async () => {
    const { strong, weak } = models();
    const router = createNodeRouter({
      router: 'knn-gain',
      threshold: THRESHOLD,
      modelBaseUrl: pathToFileURL(`${emptyFolder}/`),
      fallback: 'weak',
    });
    const result = await generateText({ model: routedModel({ router, strong, weak }), prompt: LONG });
    expect(result.text).toBe('from weak');
    expect(result.providerMetadata?.['routellm']).toMatchObject({
      tier: 'weak',
      score: null,
      threshold: null,
      calibration: 'fallback',
      fallback: true,
      fallbackReason: expect.stringContaining("Router 'knn-gain' could not load"),
    });
  });

  it("rejects with the router's RouteError when its fallback is 'error'", async () => {
    const { strong, weak } = models();
    const router = createNodeRouter({
      router: 'knn-gain',
      threshold: THRESHOLD,
      modelBaseUrl: pathToFileURL(`${emptyFolder}/`),
      fallback: 'error',
    });
    await expect(generateText({ model: routedModel({ router, strong, weak }), prompt: SHORT })).rejects.toBeInstanceOf(
      ModelLoadError,
    );
    await expect(
      generateText({
        model: routedModel({ router: createNodeRouter({ router: 'no-such-router', threshold: 0.5 }), strong, weak }),
        prompt: SHORT,
      }),
    ).rejects.toMatchObject({
      code: 'router_not_found',
    });
    expect([...strong.doGenerateCalls, ...weak.doGenerateCalls]).toHaveLength(0);
  });

  it('rejects a prompt with no user text, and a decision with no tier, with InvalidInputError', async () => {
    const { strong, weak } = models();
    const model = routedModel({ router: lengthRouter, strong, weak });
    await expect(generateText({ model, messages: [{ role: 'assistant', content: 'Hello.' }] })).rejects.toThrow(
      /no user message to route/,
    );
    await expect(
      model.doGenerate({
        prompt: [
          {
            role: 'user',
            content: [
              {
                type: 'file',
                mediaType: 'image/png',
                data: { type: 'url', url: new URL('https://example.com/a.png') },
              },
            ],
          },
        ],
      }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    const confused = routedModel({ router: { route: async () => ({ tier: 'medium' }) as never }, strong, weak });
    await expect(generateText({ model: confused, prompt: SHORT })).rejects.toThrow(/tier must be 'strong' or 'weak'/);
  });
});

describe('routedModel options', () => {
  it('checks its options once, with InvalidInputError', () => {
    const { strong, weak } = models();
    expect(() => routedModel(undefined as never)).toThrow(InvalidInputError);
    expect(() => routedModel({ router: {} as never, strong, weak })).toThrow(/route\(input/);
    expect(() => routedModel({ router: lengthRouter, strong: 'openai/gpt-4.1' as never, weak })).toThrow(
      /options.strong must be an AI SDK language model object/,
    );
    expect(() => routedModel({ router: lengthRouter, strong, weak: new MockLanguageModelV3() as never })).toThrow(
      /specification v4/,
    );
    expect(() => routedModel({ router: lengthRouter, strong, weak })).not.toThrow();
  });

  it('names itself after both models and offers only the URLs both take', async () => {
    const pdf = /^https:\/\/files\.example\/.+\.pdf$/;
    const strong = new MockLanguageModelV4({
      modelId: 'big',
      supportedUrls: { 'image/*': [/^https:\/\/.+$/], 'application/pdf': [pdf] },
    });
    const weak = new MockLanguageModelV4({
      modelId: 'small',
      supportedUrls: { 'image/*': [/^https:\/\/cdn\..+$/], 'application/pdf': [new RegExp(pdf.source)] },
    });
    const model = routedModel({ router: lengthRouter, strong, weak });
    expect(model).toMatchObject({ specificationVersion: 'v4', provider: 'routellm', modelId: 'route(big, small)' });
    expect(await model.supportedUrls).toEqual({ 'application/pdf': [pdf] });
  });
});
