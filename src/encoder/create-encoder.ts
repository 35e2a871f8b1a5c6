import { AutoTokenizer, ModelFileNotFoundError, type PreTrainedTokenizer } from '@huggingface/transformers';
import {
  AbortError,
  errorMessage,
  InvalidInputError,
  ModelLoadError,
  RouteError,
  type ScoreOptions,
} from '../core/index.ts';
import { loadOnDevice } from './device-choice.ts';
import type { EncodedText, Encoder, EncoderDevice } from './encoder.ts';
import { computeEncoderId } from './encoder-id.ts';
import { type LoadedModel, loadModel } from './loaded-model.ts';
import { type ModelLocation, readModelFile } from './model-location.ts';
import {
  DEFAULT_MODEL,
  DTYPE_FILE_SUFFIX,
  type EncoderOptions,
  type ResolvedEncoderOptions,
  resolveEncoderOptions,
} from './options.ts';
import { average, normalize } from './pooling.ts';
import { progressAdapter } from './progress.ts';
import { isNode } from './runtime.ts';
import { validateTexts } from './texts.ts';
import { type SpecialTokens, type TokenWindows, detectSpecialTokens, splitIntoWindows } from './token-windows.ts';
import { type LoadSettings, withLoadSettings } from './transformers-env.ts';

/** Encoded once at load: warms the session up, measures the output size, and probes WebGPU against WASM. */
const PROBE_TEXT = 'How do I reverse a linked list in Python?';

/** Tokenizers without a usable model_max_length report a huge sentinel (1e30); beyond this it is not a limit. */
const MAX_PLAUSIBLE_TOKEN_LIMIT = 1_000_000;

/**
 * Loads a sentence encoder: the tokenizer, then the ONNX model on the best available device (see loadOnDevice),
 * then the weights' hash for the encoder id. Load problems reject with ModelLoadError ('model_not_found' when files
 * are missing), bad options with InvalidInputError.
 */
export async function createEncoder(options?: EncoderOptions): Promise<Encoder> {
  const resolved = resolveEncoderOptions(options);
  const { location } = resolved;
  const settings: LoadSettings = {
    localModelPath: location.localModelPath,
    allowRemoteModels: location.allowRemoteModels,
  };
  const progressCallback = resolved.onProgress ? progressAdapter(resolved.onProgress) : undefined;

  let model: LoadedModel | undefined;
  try {
    // transformers.js treats a missing tokenizer_config.json as "no tokenizer" and fails later with a TypeError.
    for (const file of ['config.json', 'tokenizer_config.json']) await readModelFile(location, file);
    const tokenizer = await withLoadSettings(settings, () =>
      AutoTokenizer.from_pretrained(location.modelId, progressCallback ? { progress_callback: progressCallback } : {}),
    );
    const maxTokens = resolved.maxTokens ?? tokenLimitOf(tokenizer);
    const text = new TextWindows(tokenizer, maxTokens, resolved);
    const load = (device: EncoderDevice) =>
      withLoadSettings({ ...settings, model: { device, wasmPaths: resolved.wasmPaths } }, () =>
        loadModel({
          modelId: location.modelId,
          device,
          dtype: resolved.dtype,
          pooling: resolved.pooling,
          padId: tokenizer.pad_token_id ?? 0,
          convertedHere: location.name === DEFAULT_MODEL,
          progressCallback,
        }),
      );
    const embedProbe = async (candidate: LoadedModel) =>
      (await embedTexts(candidate, [text.split(PROBE_TEXT)], resolved))[0]!;

    const choice = await loadOnDevice(resolved.device, load, embedProbe);
    model = choice.model;
    const dimensions = (await embedProbe(model)).length;
    const id = await computeEncoderId(
      location.name,
      resolved.dtype,
      await readModelFile(location, `onnx/model${DTYPE_FILE_SUFFIX[resolved.dtype]}.onnx`),
    );
    resolved.onProgress?.({ status: 'ready', file: '', loaded: 0, total: 0 });
    return new TransformersEncoder({
      id,
      model,
      text,
      dimensions,
      maxTokens,
      deviceReason: choice.reason,
      options: resolved,
    });
  } catch (error) {
    await model?.dispose();
    throw toLoadError(error, location, resolved);
  }
}

/** Tokenises texts into model windows and remembers nothing between calls. */
class TextWindows {
  private readonly special: SpecialTokens;

  constructor(
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly maxTokens: number,
    private readonly options: ResolvedEncoderOptions,
  ) {
    this.special = detectSpecialTokens((probe, addSpecialTokens) =>
      tokenizer.encode(probe, { add_special_tokens: addSpecialTokens }),
    );
    // Fails early (at load, not at the first long text) when maxTokens cannot hold the special tokens.
    splitIntoWindows([], this.special, maxTokens, options.overflow);
  }

  split(text: string): TokenWindows {
    const content = this.tokenizer.encode(text, { add_special_tokens: false });
    return splitIntoWindows(content, this.special, this.maxTokens, this.options.overflow);
  }
}

class TransformersEncoder implements Encoder {
  readonly id: string;
  readonly model: string;
  readonly dimensions: number;
  readonly maxTokens: number;
  readonly dtype: string;
  readonly device: EncoderDevice;
  readonly deviceReason: string;
  private readonly loaded: LoadedModel;
  private readonly text: TextWindows;
  private readonly options: ResolvedEncoderOptions;
  private disposed = false;

  constructor(init: {
    id: string;
    model: LoadedModel;
    text: TextWindows;
    dimensions: number;
    maxTokens: number;
    deviceReason: string;
    options: ResolvedEncoderOptions;
  }) {
    this.id = init.id;
    this.model = init.options.model;
    this.dimensions = init.dimensions;
    this.maxTokens = init.maxTokens;
    this.dtype = init.options.dtype;
    this.device = init.model.device;
    this.deviceReason = init.deviceReason;
    this.loaded = init.model;
    this.text = init.text;
    this.options = init.options;
  }

  async embed(texts: readonly string[], options?: ScoreOptions): Promise<Float32Array[]> {
    return (await this.encode(texts, options)).map((encoded) => encoded.embedding);
  }

  async encode(texts: readonly string[], options?: ScoreOptions): Promise<EncodedText[]> {
    if (this.disposed) throw new InvalidInputError('This encoder was disposed; create a new one.');
    validateTexts(texts, 'encode');
    throwIfAborted(options?.signal);
    const split = texts.map((text) => this.text.split(text));
    const embeddings = await embedTexts(this.loaded, split, this.options, options?.signal);
    return split.map((windows, index) => ({
      embedding: embeddings[index]!,
      tokens: windows.tokens,
      truncated: windows.truncated,
      chunks: windows.windows.length,
    }));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.loaded.dispose();
  }
}

/**
 * One embedding per text. Windows of all texts are sorted by length and run in batches of options.batchSize, so a
 * batch pads little; a text with several windows (overflow 'chunk') gets the renormalised mean of their embeddings.
 */
async function embedTexts(
  model: LoadedModel,
  texts: readonly TokenWindows[],
  options: ResolvedEncoderOptions,
  signal?: AbortSignal,
): Promise<Float32Array[]> {
  const windows = texts.flatMap((text, textIndex) => text.windows.map((ids) => ({ ids, textIndex })));
  const order = windows.map((_, index) => index).sort((a, b) => windows[a]!.ids.length - windows[b]!.ids.length);
  const vectors: Float32Array[] = new Array(windows.length);
  for (let start = 0; start < order.length; start += options.batchSize) {
    throwIfAborted(signal);
    const batch = order.slice(start, start + options.batchSize);
    const pooled = await model.embedWindows(batch.map((index) => windows[index]!.ids));
    batch.forEach((windowIndex, row) => {
      vectors[windowIndex] = options.normalize ? normalize(pooled[row]!) : pooled[row]!;
    });
  }
  const perText: Float32Array[][] = texts.map(() => []);
  windows.forEach((window, index) => perText[window.textIndex]!.push(vectors[index]!));
  return perText.map((parts) => {
    if (parts.length === 1) return parts[0]!;
    const mean = average(parts);
    return options.normalize ? normalize(mean) : mean;
  });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError();
}

function tokenLimitOf(tokenizer: PreTrainedTokenizer): number {
  const limit = Number(tokenizer.model_max_length);
  if (Number.isInteger(limit) && limit > 0 && limit <= MAX_PLAUSIBLE_TOKEN_LIMIT) return limit;
  throw new ModelLoadError(
    'The tokenizer does not state a token limit (model_max_length); pass options.maxTokens.',
    'model_load_failed',
  );
}

function toLoadError(error: unknown, location: ModelLocation, options: ResolvedEncoderOptions): RouteError {
  const message = errorMessage(error);
  const notFound =
    error instanceof ModelFileNotFoundError || (error instanceof RouteError && error.code === 'model_not_found');
  if (notFound) {
    const hint =
      location.name === DEFAULT_MODEL && isNode()
        ? ' In a clone of routellm-web, `npm run build:encoder` builds it (dtypes fp32, q8 and int8).'
        : !options.allowRemoteModels && /^[\w.-]+\/[\w.-]+$/.test(options.model)
          ? ' Pass allowRemoteModels: true to download it from the Hugging Face Hub.'
          : '';
    return new ModelLoadError(
      `Encoder model "${location.name}" (${options.dtype}) was not found: ${message}${hint}`,
      'model_not_found',
      { cause: error },
    );
  }
  if (error instanceof RouteError) return error;
  return new ModelLoadError(
    `Loading encoder model "${location.name}" (${options.dtype}) failed: ${message}`,
    'model_load_failed',
    { cause: error },
  );
}
