import { ModelFileNotFoundError, pipeline, type TextClassificationPipeline } from '@huggingface/transformers';
import {
  AbortError,
  errorMessage,
  InvalidInputError,
  ModelLoadError,
  RouteError,
  type ScoreOptions,
  type TextClassifier,
} from '../core/index.ts';
import type { EncoderDevice } from './encoder.ts';
import { computeEncoderId } from './encoder-id.ts';
import { type ModelLocation, readModelFile } from './model-location.ts';
import { DTYPE_FILE_SUFFIX, type EncoderOptions, resolveEncoderOptions } from './options.ts';
import { progressAdapter } from './progress.ts';
import { sessionOptionsFor } from './session-options.ts';
import { validateTexts } from './texts.ts';
import { isNode } from './runtime.ts';
import { type LoadSettings, withLoadSettings } from './transformers-env.ts';

/**
 * routellm-web's classifier router model: USE-lite with the trained head, one ONNX graph built into
 * public/models/routellm-classifier/ by `npm run build:classifier`.
 */
export const CLASSIFIER_MODEL = 'routellm-classifier';

/** Where and how the model loads: the encoder's options, minus those about pooling and windows (the graph does both). */
export type TextClassifierOptions = Pick<
  EncoderOptions,
  'model' | 'device' | 'dtype' | 'localModelPath' | 'allowRemoteModels' | 'wasmPaths' | 'onProgress' | 'batchSize'
>;

/** A loaded classifier: core's TextClassifier plus where it runs. */
export interface LoadedTextClassifier extends TextClassifier {
  readonly model: string;
  readonly dtype: string;
  readonly device: EncoderDevice;
  readonly deviceReason: string;
  /** Releases the inference session; later calls reject. */
  dispose(): Promise<void>;
}

/**
 * Loads a sequence-classification model (transformers.js layout: config.json with id2label, tokenizer files,
 * onnx/model<dtype>.onnx with output `logits`) as a transformers.js `text-classification` pipeline. Default:
 * routellm-web's classifier in q8, whose float activations make each text's result independent of its batch.
 * 'auto' runs on onnxruntime-node's CPU in Node and on WASM in browsers: the model is USE-lite sized, and such
 * small graphs are dispatch-bound on a GPU (pass device 'webgpu' to try it anyway).
 */
export async function createTextClassifier(options: TextClassifierOptions = {}): Promise<LoadedTextClassifier> {
  const resolved = resolveEncoderOptions({ ...options, model: options.model ?? CLASSIFIER_MODEL });
  const { location, dtype } = resolved;
  const device: EncoderDevice = resolved.device !== 'auto' ? resolved.device : isNode() ? 'cpu' : 'wasm';
  const deviceReason =
    resolved.device !== 'auto'
      ? `${device} was requested`
      : isNode()
        ? 'Node runs onnxruntime-node on the CPU'
        : 'small classifiers run fastest on WASM';
  const settings: LoadSettings = {
    localModelPath: location.localModelPath,
    allowRemoteModels: location.allowRemoteModels,
    model: { device, wasmPaths: resolved.wasmPaths },
  };

  let classifier: TextClassificationPipeline | undefined;
  try {
    const config = parseConfig(await readModelFile(location, 'config.json'), location.name);
    await readModelFile(location, 'tokenizer_config.json');
    const progressCallback = resolved.onProgress ? progressAdapter(resolved.onProgress) : undefined;
    classifier = (await withLoadSettings(settings, () =>
      pipeline('text-classification', location.modelId, {
        device,
        dtype,
        session_options: sessionOptionsFor(dtype, location.name === CLASSIFIER_MODEL),
        ...(progressCallback ? { progress_callback: progressCallback } : {}),
      }),
    )) as TextClassificationPipeline;
    const id = await computeEncoderId(
      location.name,
      dtype,
      await readModelFile(location, `onnx/model${DTYPE_FILE_SUFFIX[dtype]}.onnx`),
    );
    resolved.onProgress?.({ status: 'ready', file: '', loaded: 0, total: 0 });
    return new PipelineTextClassifier({
      id,
      model: resolved.model,
      dtype,
      device,
      deviceReason,
      labels: config.labels,
      pipeline: classifier,
      batchSize: resolved.batchSize,
    });
  } catch (error) {
    await classifier?.dispose();
    throw toLoadError(error, location, dtype);
  }
}

class PipelineTextClassifier implements LoadedTextClassifier {
  readonly id: string;
  readonly model: string;
  readonly dtype: string;
  readonly device: EncoderDevice;
  readonly deviceReason: string;
  readonly labels: readonly string[];
  private readonly pipeline: TextClassificationPipeline;
  private readonly batchSize: number;
  private disposed = false;

  constructor(init: {
    id: string;
    model: string;
    dtype: string;
    device: EncoderDevice;
    deviceReason: string;
    labels: string[];
    pipeline: TextClassificationPipeline;
    batchSize: number;
  }) {
    this.id = init.id;
    this.model = init.model;
    this.dtype = init.dtype;
    this.device = init.device;
    this.deviceReason = init.deviceReason;
    this.labels = init.labels;
    this.pipeline = init.pipeline;
    this.batchSize = init.batchSize;
  }

  async classify(texts: readonly string[], options?: ScoreOptions): Promise<number[][]> {
    if (this.disposed) throw new InvalidInputError('This classifier was disposed; create a new one.');
    validateTexts(texts, 'classify');
    // Similar lengths share a batch, so padding (and the padded windows the graph still computes) stays small.
    const order = texts.map((_, index) => index).sort((a, b) => texts[a]!.length - texts[b]!.length);
    const results: number[][] = new Array(texts.length);
    for (let start = 0; start < order.length; start += this.batchSize) {
      if (options?.signal?.aborted) throw new AbortError();
      const batch = order.slice(start, start + this.batchSize);
      const outputs = (await this.pipeline(
        batch.map((index) => texts[index]!),
        { top_k: null },
      )) as unknown as Array<Array<{ label: string; score: number }>>;
      batch.forEach((textIndex, row) => {
        const byLabel = new Map(outputs[row]!.map((entry) => [entry.label, entry.score]));
        results[textIndex] = this.labels.map((label) => byLabel.get(label)!);
      });
    }
    return results;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.pipeline.dispose();
  }
}

/** Labels in output order from config.json's id2label, which must number the outputs 0..n-1. */
function parseConfig(bytes: Uint8Array, model: string): { labels: string[] } {
  let config: { id2label?: unknown; problem_type?: unknown };
  try {
    config = JSON.parse(new TextDecoder().decode(bytes)) as typeof config;
  } catch (error) {
    throw new ModelLoadError(`config.json of "${model}" is not valid JSON.`, 'model_load_failed', { cause: error });
  }
  if (config.problem_type === 'multi_label_classification') {
    throw new ModelLoadError(
      `"${model}" is a multi-label classifier; a router needs one probability distribution over its labels.`,
      'model_load_failed',
    );
  }
  const id2label = config.id2label;
  if (typeof id2label !== 'object' || id2label === null || Object.keys(id2label).length < 2) {
    throw new ModelLoadError(
      `config.json of "${model}" has no id2label with at least two labels; it is not a sequence classifier.`,
      'model_load_failed',
    );
  }
  const entries = id2label as Record<string, unknown>;
  const labels = Object.keys(entries).map((_, index) => {
    const label = entries[String(index)];
    if (typeof label !== 'string')
      throw new ModelLoadError(
        `config.json of "${model}" must label outputs 0..${Object.keys(entries).length - 1} in id2label.`,
        'model_load_failed',
      );
    return label;
  });
  if (new Set(labels).size !== labels.length)
    throw new ModelLoadError(`config.json of "${model}" repeats a label in id2label.`, 'model_load_failed');
  return { labels };
}

function toLoadError(error: unknown, location: ModelLocation, dtype: string): RouteError {
  if (error instanceof RouteError && error.code !== 'model_not_found') return error;
  const message = errorMessage(error);
  if (error instanceof ModelFileNotFoundError || error instanceof RouteError) {
    const hint =
      location.name === CLASSIFIER_MODEL
        ? ' `npm run build:classifier` builds it.'
        : !location.allowRemoteModels && /^[\w.-]+\/[\w.-]+$/.test(location.modelId)
          ? ' Pass allowRemoteModels: true to download it from the Hugging Face Hub.'
          : '';
    return new ModelLoadError(
      `Classifier model "${location.name}" (${dtype}) was not found: ${message}${hint}`,
      'model_not_found',
      { cause: error },
    );
  }
  return new ModelLoadError(
    `Loading classifier model "${location.name}" (${dtype}) failed: ${message}`,
    'model_load_failed',
    { cause: error },
  );
}
