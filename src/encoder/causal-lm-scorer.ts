import {
  AutoModelForCausalLM,
  AutoTokenizer,
  DynamicCache,
  ModelFileNotFoundError,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  Tensor,
} from '@huggingface/transformers';
import {
  AbortError,
  errorMessage,
  InvalidInputError,
  ModelLoadError,
  RouteError,
  type ChatMessage,
  type LabelQuery,
  type LabelScorer,
  type ScoreOptions,
} from '../core/index.ts';
import type { EncoderDevice } from './encoder.ts';
import { type ModelLocation, readModelFile } from './model-location.ts';
import { type EncoderDtype, type EncoderOptions, resolveEncoderOptions } from './options.ts';
import { progressAdapter } from './progress.ts';
import { isNode, webGpuUnavailableReason } from './runtime.ts';
import { type LoadSettings, withLoadSettings } from './transformers-env.ts';

/** An instruct model small enough for a browser tab (about 0.5B parameters), in transformers.js layout on the Hub. */
export const CAUSAL_LM_MODEL = 'onnx-community/Qwen2.5-0.5B-Instruct';

/**
 * 4-bit weights (MatMulNBits), the variant instruct models on the Hub are published in for browsers: q4f16 (half
 * precision activations) where WebGPU runs it, q4 on WASM and onnxruntime-node.
 */
const DEFAULT_DTYPE: Record<EncoderDevice, EncoderDtype> = { webgpu: 'q4f16', wasm: 'q4', cpu: 'q4' };

/**
 * Prompt tokens per forward pass while a prompt is read into the KV cache. Every pass returns logits for each of
 * its tokens ([tokens, vocabulary] floats: 64 x 151,936 x 4 bytes = 39 MB for Qwen2.5), so this bounds memory on
 * long prompts; larger passes are a little faster.
 */
const DEFAULT_PREFILL_TOKENS = 64;

export interface CausalLmScorerOptions
  extends Pick<
    EncoderOptions,
    'model' | 'device' | 'dtype' | 'localModelPath' | 'allowRemoteModels' | 'wasmPaths' | 'onProgress'
  > {
  /** Prompt tokens per forward pass (default 64), for models with a KV cache and no `num_logits_to_keep` input. */
  prefillTokens?: number;
}

/** A loaded causal LM: core's LabelScorer plus where it runs. */
export interface LoadedLabelScorer extends LabelScorer {
  readonly model: string;
  readonly dtype: EncoderDtype;
  readonly device: EncoderDevice;
  readonly deviceReason: string;
  dispose(): Promise<void>;
}

/** How the model reads a prompt, from the inputs its ONNX session declares and its config. */
interface PrefillPlan {
  /** Tokens per pass: the whole prompt unless a KV cache lets it be read in parts. */
  readonly tokensPerPass: number;
  /** The longest prompt the model reads (config.json max_position_embeddings), when it says. */
  readonly maxTokens: number | undefined;
  /** The session takes `num_logits_to_keep`, so it can return the last position's logits only. */
  readonly keepsLastLogits: boolean;
}

/**
 * Loads a causal LM (transformers.js layout: config.json, tokenizer.json, tokenizer_config.json with a chat
 * template, onnx/model<dtype>.onnx taking input_ids and attention_mask and returning logits, with or without a KV
 * cache) as a LabelScorer. 'auto' runs on WebGPU in browsers that have an adapter (a 0.5B model is compute-bound,
 * where a GPU wins), else WASM; Node runs onnxruntime-node on the CPU. Hub ids download only with
 * `allowRemoteModels: true`.
 */
export async function createCausalLmScorer(options: CausalLmScorerOptions = {}): Promise<LoadedLabelScorer> {
  const prefillTokens = options.prefillTokens ?? DEFAULT_PREFILL_TOKENS;
  if (!(Number.isInteger(prefillTokens) && prefillTokens > 0)) {
    throw new InvalidInputError(`options.prefillTokens must be a positive integer, got ${prefillTokens}.`);
  }
  // The encoder's option rules (model location, devices per runtime, dtypes, WASM paths) hold here too.
  const resolved = resolveEncoderOptions({
    ...options,
    model: options.model ?? CAUSAL_LM_MODEL,
    dtype: options.dtype ?? DEFAULT_DTYPE.cpu,
  });
  const { location } = resolved;
  const { device, reason: deviceReason } = await chooseDevice(resolved.device);
  const dtype = options.dtype ?? DEFAULT_DTYPE[device];
  const settings: LoadSettings = {
    localModelPath: location.localModelPath,
    allowRemoteModels: location.allowRemoteModels,
  };
  const progressCallback = resolved.onProgress ? progressAdapter(resolved.onProgress) : undefined;
  const loadOptions = progressCallback ? { progress_callback: progressCallback } : {};

  let model: PreTrainedModel | undefined;
  try {
    // transformers.js treats a missing tokenizer_config.json as "no tokenizer" and fails later with a TypeError.
    for (const file of ['config.json', 'tokenizer_config.json']) await readModelFile(location, file);
    const tokenizer = await withLoadSettings(settings, () =>
      AutoTokenizer.from_pretrained(location.modelId, loadOptions),
    );
    try {
      tokenizer.get_chat_template();
    } catch (error) {
      throw new ModelLoadError(
        `"${location.name}" has no chat template, so it cannot be asked a chat question.`,
        'model_load_failed',
        { cause: error },
      );
    }
    model = await withLoadSettings({ ...settings, model: { device, wasmPaths: resolved.wasmPaths } }, () =>
      AutoModelForCausalLM.from_pretrained(location.modelId, { device, dtype, ...loadOptions }),
    );
    const plan = prefillPlan(model, prefillTokens);
    resolved.onProgress?.({ status: 'ready', file: '', loaded: 0, total: 0 });
    return new TransformersLabelScorer({
      model: resolved.model,
      location,
      dtype,
      device,
      deviceReason,
      tokenizer,
      causalLm: model,
      plan,
    });
  } catch (error) {
    await model?.dispose();
    throw toLoadError(error, location, dtype);
  }
}

async function chooseDevice(requested: 'auto' | EncoderDevice): Promise<{ device: EncoderDevice; reason: string }> {
  if (requested !== 'auto') return { device: requested, reason: `${requested} was requested` };
  if (isNode()) return { device: 'cpu', reason: 'Node runs onnxruntime-node on the CPU' };
  const unavailable = await webGpuUnavailableReason();
  return unavailable
    ? { device: 'wasm', reason: `WASM, because ${unavailable}` }
    : { device: 'webgpu', reason: 'WebGPU, which runs a causal LM far faster than WASM' };
}

function prefillPlan(model: PreTrainedModel, prefillTokens: number): PrefillPlan {
  const inputNames = (model.sessions['model'] as { inputNames: readonly string[] } | undefined)?.inputNames ?? [];
  if (!inputNames.includes('input_ids') || !inputNames.includes('attention_mask')) {
    throw new ModelLoadError(
      `The model's ONNX graph takes ${inputNames.join(', ')}; a causal LM needs input_ids and attention_mask.`,
      'model_load_failed',
    );
  }
  const keepsLastLogits = inputNames.includes('num_logits_to_keep');
  // Reading in parts needs every cache input to be a plain key/value cache (not a hybrid model's conv or SSM state).
  const cacheInputs = inputNames.filter((name) => name.startsWith('past'));
  const splittable = cacheInputs.length > 0 && cacheInputs.every((name) => name.startsWith('past_key_values.'));
  const maxPositions = (model.config as { max_position_embeddings?: unknown }).max_position_embeddings;
  const maxTokens =
    typeof maxPositions === 'number' && Number.isInteger(maxPositions) && maxPositions > 0 ? maxPositions : undefined;
  return {
    tokensPerPass: splittable && !keepsLastLogits ? prefillTokens : Number.POSITIVE_INFINITY,
    keepsLastLogits,
    maxTokens,
  };
}

class TransformersLabelScorer implements LoadedLabelScorer {
  readonly id: string;
  readonly model: string;
  readonly dtype: EncoderDtype;
  readonly device: EncoderDevice;
  readonly deviceReason: string;
  private readonly tokenizer: PreTrainedTokenizer;
  private readonly causalLm: PreTrainedModel;
  private readonly plan: PrefillPlan;
  private disposed = false;

  constructor(init: {
    model: string;
    location: ModelLocation;
    dtype: EncoderDtype;
    device: EncoderDevice;
    deviceReason: string;
    tokenizer: PreTrainedTokenizer;
    causalLm: PreTrainedModel;
    plan: PrefillPlan;
  }) {
    // Hashing a model of hundreds of megabytes would cost more than loading it; the name and dtype identify it.
    this.id = `${init.location.name}@${init.dtype}`;
    this.model = init.model;
    this.dtype = init.dtype;
    this.device = init.device;
    this.deviceReason = init.deviceReason;
    this.tokenizer = init.tokenizer;
    this.causalLm = init.causalLm;
    this.plan = init.plan;
  }

  async scoreLabels(
    queries: readonly LabelQuery[],
    labels: readonly string[],
    options?: ScoreOptions,
  ): Promise<number[][]> {
    if (this.disposed) throw new InvalidInputError('This label scorer was disposed; create a new one.');
    validateQueries(queries);
    validateLabels(labels);
    const results: number[][] = [];
    for (const query of queries) {
      throwIfAborted(options?.signal);
      const { promptIds, labelIds } = this.tokenize(query, labels);
      const { maxTokens } = this.plan;
      if (maxTokens !== undefined && promptIds.length > maxTokens) {
        throw new InvalidInputError(
          `queries[${results.length}] is ${promptIds.length} tokens with its chat template; model "${this.model}" reads at most ${maxTokens}.`,
        );
      }
      const logits = await this.nextTokenLogits(promptIds, options?.signal);
      results.push(labelProbabilities(logits, labelIds));
    }
    return results;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.causalLm.dispose();
  }

  /**
   * The prompt's token ids, and each label's token as the model would read it right after the prompt: encoding
   * prompt + label must give the prompt's ids plus exactly one token, or the label is not one token there.
   */
  private tokenize(query: LabelQuery, labels: readonly string[]): { promptIds: number[]; labelIds: number[] } {
    const conversation = query.messages.map((message) => ({ role: message.role, content: message.content }));
    const prompt = `${this.tokenizer.apply_chat_template(conversation, { tokenize: false, add_generation_prompt: true }) as string}${query.answerPrefix}`;
    // The chat template writes every special token itself.
    const encode = (text: string) => this.tokenizer.encode(text, { add_special_tokens: false });
    const promptIds = encode(prompt);
    const labelIds = labels.map((label) => {
      const withLabel = encode(prompt + label);
      const extendsPrompt =
        withLabel.length === promptIds.length + 1 && promptIds.every((id, index) => withLabel[index] === id);
      if (!extendsPrompt) {
        throw new InvalidInputError(
          `Label '${label}' is not a single token after the answer prefix '${query.answerPrefix}' for model "${this.model}".`,
        );
      }
      return withLabel[promptIds.length]!;
    });
    return { promptIds, labelIds };
  }

  /** Logits for the token after `ids`, reading the prompt in passes of plan.tokensPerPass tokens into the KV cache. */
  private async nextTokenLogits(ids: readonly number[], signal: AbortSignal | undefined): Promise<Float32Array> {
    const { tokensPerPass, keepsLastLogits } = this.plan;
    let cache: DynamicCache | undefined;
    let logits: Tensor | undefined;
    try {
      for (let start = 0; start < ids.length; start += tokensPerPass) {
        throwIfAborted(signal);
        const end = Math.min(ids.length, start + tokensPerPass);
        const outputs = (await this.causalLm.forward({
          input_ids: new Tensor('int64', BigInt64Array.from(ids.slice(start, end), BigInt), [1, end - start]),
          attention_mask: new Tensor('int64', new BigInt64Array(end).fill(1n), [1, end]),
          ...(keepsLastLogits ? { num_logits_to_keep: new Tensor('int64', BigInt64Array.of(1n), []) } : {}),
          ...(cache ? { past_key_values: cache } : {}),
        })) as Record<string, Tensor>;
        logits = outputs['logits'];
        if (end < ids.length) {
          const present = pastKeyValuesOf(outputs);
          if (cache) cache.update(present);
          else cache = new DynamicCache(present);
        } else {
          for (const [name, tensor] of Object.entries(outputs)) if (name.startsWith('present')) await tensor.dispose();
        }
      }
    } finally {
      await cache?.dispose();
    }
    if (logits?.dims.length !== 3)
      throw new ModelLoadError(`The model returned no logits [batch, tokens, vocabulary].`, 'model_load_failed');
    const [, positions, vocabulary] = logits.dims as [number, number, number];
    const offset = (positions - 1) * vocabulary;
    const last = new Tensor(logits.type, (logits.data as Float32Array).subarray(offset, offset + vocabulary), [
      vocabulary,
    ]);
    return last.to('float32').data as Float32Array;
  }
}

/** The `present.*` outputs of one pass, renamed to the `past_key_values.*` inputs of the next. */
function pastKeyValuesOf(outputs: Record<string, Tensor>): Record<string, Tensor> {
  return Object.fromEntries(
    Object.entries(outputs)
      .filter(([name]) => name.startsWith('present.'))
      .map(([name, tensor]) => [name.replace(/^present\./, 'past_key_values.'), tensor]),
  );
}

/** softmax(logits)[labelIds], in float64 with the maximum subtracted, so tiny probabilities stay exact. */
export function labelProbabilities(logits: Float32Array, labelIds: readonly number[]): number[] {
  let max = Number.NEGATIVE_INFINITY;
  for (const logit of logits) if (logit > max) max = logit;
  let sum = 0;
  for (const logit of logits) sum += Math.exp(logit - max);
  return labelIds.map((id) => Math.exp(logits[id]! - max) / sum);
}

const ROLES: ReadonlySet<ChatMessage['role']> = new Set(['system', 'user', 'assistant']);

function validateQueries(queries: unknown): asserts queries is readonly LabelQuery[] {
  if (!Array.isArray(queries)) throw new InvalidInputError(`queries must be an array, got ${typeof queries}.`);
  queries.forEach((query: Partial<LabelQuery> | null, index) => {
    if (typeof query !== 'object' || query === null)
      throw new InvalidInputError(`queries[${index}] must be an object.`);
    if (typeof query.answerPrefix !== 'string')
      throw new InvalidInputError(`queries[${index}].answerPrefix must be a string.`);
    if (!Array.isArray(query.messages) || query.messages.length === 0)
      throw new InvalidInputError(`queries[${index}].messages must be a non-empty array.`);
    query.messages.forEach((message: Partial<ChatMessage> | null, turn) => {
      if (
        typeof message !== 'object' ||
        message === null ||
        !ROLES.has(message.role as ChatMessage['role']) ||
        typeof message.content !== 'string'
      ) {
        throw new InvalidInputError(
          `queries[${index}].messages[${turn}] must be { role: 'system' | 'user' | 'assistant', content: string }.`,
        );
      }
    });
  });
}

function validateLabels(labels: unknown): asserts labels is readonly string[] {
  if (
    !Array.isArray(labels) ||
    labels.length === 0 ||
    labels.some((label) => typeof label !== 'string' || label === '')
  ) {
    throw new InvalidInputError('labels must be a non-empty array of non-empty strings.');
  }
  if (new Set(labels).size !== labels.length) throw new InvalidInputError('labels must be distinct.');
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError();
}

function toLoadError(error: unknown, location: ModelLocation, dtype: string): RouteError {
  if (error instanceof RouteError && error.code !== 'model_not_found') return error;
  const message = errorMessage(error);
  if (error instanceof ModelFileNotFoundError || error instanceof RouteError) {
    const hint =
      !location.allowRemoteModels && /^[\w.-]+\/[\w.-]+$/.test(location.modelId)
        ? ' Pass allowRemoteModels: true to download it from the Hugging Face Hub.'
        : '';
    return new ModelLoadError(
      `Causal LM "${location.name}" (${dtype}) was not found: ${message}${hint}`,
      'model_not_found',
      { cause: error },
    );
  }
  return new ModelLoadError(`Loading causal LM "${location.name}" (${dtype}) failed: ${message}`, 'model_load_failed', {
    cause: error,
  });
}
