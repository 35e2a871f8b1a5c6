import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
  LanguageModelV4Prompt,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
} from '@ai-sdk/provider';
import {
  InvalidInputError,
  promptOf,
  type ChatCompletionMessageParam,
  type PromptRouter,
  type ModelTier,
  type RouteDecision,
} from '../sdk/index.ts';

/** What decides each call: createRouter's (or createNodeRouter's) PromptRouter, or anything with its `route`. */
export type CallRouter = Pick<PromptRouter, 'route'>;

export interface RoutedModelOptions {
  router: CallRouter;
  /** Answers the prompts the router sends strong. */
  strong: LanguageModelV4;
  /** Answers the prompts the router sends weak. */
  weak: LanguageModelV4;
}

/**
 * The decision behind one call, as `providerMetadata.routellm`: the RouteDecision, with the AI SDK model that
 * answered (`modelId`, `provider`) in place of the SDK's model alias.
 */
export type RoutingMetadata = Omit<RouteDecision, 'model'> & {
  modelId: string;
  provider: string;
};

/** The provider metadata key of the decision. */
export const ROUTING_METADATA_KEY = 'routellm';

const TIERS: readonly ModelTier[] = ['strong', 'weak'];

/**
 * An AI SDK language model (specification v4) that routes every call between two others: the router scores the
 * last user message (as RouteLLM does), the call goes unchanged (options, abort signal) to the model of the tier
 * it picked, and the decision comes back in `providerMetadata.routellm` (generate: the result; stream: the finish
 * part). A router that cannot load hands its calls to its `fallback` tier; any other routing failure rejects with
 * its RouteError (InvalidInputError for a prompt with no user text, AbortError when the call is aborted).
 */
export function routedModel(options: RoutedModelOptions): LanguageModelV4 {
  if (typeof options !== 'object' || options === null)
    throw new InvalidInputError('routedModel needs an options object: { router, strong, weak }.');
  if (typeof options.router?.route !== 'function')
    throw new InvalidInputError('options.router must have a route(input, { signal }) method, e.g. createRouter(...).');
  for (const tier of TIERS) checkModel(options[tier], tier);
  return new RoutedLanguageModel(options.router, { strong: options.strong, weak: options.weak });
}

function checkModel(model: unknown, tier: ModelTier): void {
  if (typeof model !== 'object' || model === null) {
    throw new InvalidInputError(
      `options.${tier} must be an AI SDK language model object (e.g. openai('gpt-4.1')), got ${model === null ? 'null' : typeof model}.`,
    );
  }
  const { specificationVersion, doGenerate, doStream } = model as Partial<LanguageModelV4>;
  if (specificationVersion !== 'v4' || typeof doGenerate !== 'function' || typeof doStream !== 'function') {
    throw new InvalidInputError(
      `options.${tier} must implement the AI SDK's language model specification v4 (AI SDK 7 providers), got specification ${JSON.stringify(specificationVersion)}.`,
    );
  }
}

class RoutedLanguageModel implements LanguageModelV4 {
  readonly specificationVersion = 'v4';
  readonly provider = 'routellm';
  readonly modelId: string;

  constructor(
    private readonly router: CallRouter,
    private readonly models: Readonly<Record<ModelTier, LanguageModelV4>>,
  ) {
    this.modelId = `route(${models.strong.modelId}, ${models.weak.modelId})`;
  }

  get supportedUrls(): Promise<Record<string, RegExp[]>> {
    return sharedSupportedUrls(this.models.strong, this.models.weak);
  }

  async doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    const { model, routing } = await this.choose(options);
    const result = await model.doGenerate(options);
    return {
      ...result,
      providerMetadata: { ...result.providerMetadata, [ROUTING_METADATA_KEY]: routing },
      response: { ...result.response, modelId: result.response?.modelId ?? model.modelId },
    };
  }

  async doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    const { model, routing } = await this.choose(options);
    const result = await model.doStream(options);
    return { ...result, stream: result.stream.pipeThrough(withRouting(model.modelId, routing)) };
  }

  private async choose(
    options: LanguageModelV4CallOptions,
  ): Promise<{ model: LanguageModelV4; routing: RoutingMetadata }> {
    const prompt = promptOf(routeInputOf(options.prompt));
    const decision = await this.router.route(prompt, options.abortSignal ? { signal: options.abortSignal } : {});
    if (!TIERS.includes(decision?.tier)) {
      throw new InvalidInputError(
        `The router decided ${JSON.stringify(decision?.tier)}; a decision's tier must be 'strong' or 'weak'.`,
      );
    }
    const model = this.models[decision.tier];
    return { model, routing: routingMetadata(decision, model) };
  }
}

/**
 * The conversation in the shape promptOf reads, so the router scores what RouteLLM scores: the last user message's
 * text parts (files are not scored). Other messages keep only their role, which promptOf passes over.
 */
function routeInputOf(prompt: LanguageModelV4Prompt): ChatCompletionMessageParam[] {
  return prompt.map((message) =>
    message.role === 'user'
      ? {
          role: 'user',
          content: message.content.flatMap((part) =>
            part.type === 'text' ? [{ type: 'text' as const, text: part.text }] : [],
          ),
        }
      : { role: message.role },
  );
}

function routingMetadata(decision: RouteDecision, model: LanguageModelV4): RoutingMetadata {
  const { model: _alias, fallbackReason, ...rest } = decision;
  // Provider metadata is JSON: a missing reason is left out rather than undefined.
  return {
    ...rest,
    modelId: model.modelId,
    provider: model.provider,
    ...(fallbackReason !== undefined && { fallbackReason }),
  };
}

/**
 * The chosen model's stream with the decision in its finish part, and a response-metadata part naming the model
 * (the SDK would otherwise report this model's id; a later response-metadata part of the provider still wins).
 */
function withRouting(
  modelId: string,
  routing: RoutingMetadata,
): TransformStream<LanguageModelV4StreamPart, LanguageModelV4StreamPart> {
  let named = false;
  return new TransformStream({
    transform(part, controller) {
      if (!named && part.type !== 'stream-start') {
        controller.enqueue({ type: 'response-metadata', modelId });
        named = true;
      }
      controller.enqueue(
        part.type === 'finish'
          ? { ...part, providerMetadata: { ...part.providerMetadata, [ROUTING_METADATA_KEY]: routing } }
          : part,
      );
    },
  });
}

/**
 * The URL patterns both models take. The SDK downloads every file whose URL the model does not take before the call,
 * and only then is the call routed, so a URL stays a URL only when either model could be handed it.
 */
async function sharedSupportedUrls(first: LanguageModelV4, second: LanguageModelV4): Promise<Record<string, RegExp[]>> {
  const [firstUrls, secondUrls] = await Promise.all([first.supportedUrls, second.supportedUrls]);
  const shared: Record<string, RegExp[]> = {};
  for (const [mediaType, patterns] of Object.entries(firstUrls)) {
    const alsoInSecond = new Set((secondUrls[mediaType] ?? []).map(String));
    const common = patterns.filter((pattern) => alsoInSecond.has(String(pattern)));
    if (common.length > 0) shared[mediaType] = common;
  }
  return shared;
}
