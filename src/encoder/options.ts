import { InvalidInputError, ORT_BUILD_FILES, type OrtBuild } from '../core/index.ts';
import type { EncoderDevice } from './encoder.ts';
import type { EncoderProgressEvent } from './progress.ts';
import { type ModelLocation, resolveModelLocation } from './model-location.ts';
import type { OrtBuildPaths } from './ort-build.ts';
import { isNode } from './runtime.ts';

/** The offline default: Universal Sentence Encoder lite, built into public/models/ by `npm run build:encoder`. */
export const DEFAULT_MODEL = 'universal-sentence-encoder-lite';

/**
 * ONNX weight variants in transformers.js layout (`onnx/model<suffix>.onnx`), keyed by transformers.js dtype.
 * The file name is part of the encoder's identity, so the mapping lives here rather than being inferred.
 */
export const DTYPE_FILE_SUFFIX = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
} as const;
export type EncoderDtype = keyof typeof DTYPE_FILE_SUFFIX;

/**
 * USE-lite ships int8 (dynamic quantisation, MatMulInteger): the fastest variant on both WASM and onnxruntime-node
 * (see scripts/bench-encoder.ts). Hub models default to q8, the variant nearly every transformers.js repo has.
 */
const DEFAULT_DTYPE_OF_MODEL: Readonly<Record<string, EncoderDtype>> = { [DEFAULT_MODEL]: 'int8' };
const DEFAULT_DTYPE: EncoderDtype = 'q8';

/** What happens to a text longer than one model window. */
export type OverflowStrategy = 'truncate' | 'chunk';
/** `auto`: the model's `sentence_embedding` output when it has one, else attention-masked mean pooling. */
export type PoolingStrategy = 'auto' | 'mean' | 'cls';

export interface EncoderOptions {
  /**
   * A model name under `localModelPath` (default 'universal-sentence-encoder-lite'), a Hugging Face model id
   * (e.g. 'Xenova/bge-small-en-v1.5', downloaded only with `allowRemoteModels: true`), or the URL / folder path of a
   * model in transformers.js layout.
   */
  model?: string;
  /** 'auto' (default): WebGPU if it reproduces WASM's output, else WASM, in browsers; onnxruntime-node CPU in Node. */
  device?: 'auto' | EncoderDevice;
  /** ONNX weight variant (default: int8 for USE-lite, q8 otherwise). */
  dtype?: EncoderDtype;
  /** Folder (Node) or URL (browser) holding local models. Default: <project>/public/models/ in Node, '/models/' in browsers. */
  localModelPath?: string;
  /** Allow downloading from the Hugging Face Hub when a model is not found locally (default false: fully offline). */
  allowRemoteModels?: boolean;
  /**
   * Where the page serves onnxruntime-web's runtime files (see ORT_BUILD_FILES): a URL prefix holding both builds,
   * or the explicit URLs of one build, then used on every device (it must be the WebGPU build for WebGPU).
   * Default '/ort/'. Never a CDN. Ignored in Node.
   */
  wasmPaths?: string | { mjs: string; wasm: string };
  /** Model-loading progress, per file. */
  onProgress?: (event: EncoderProgressEvent) => void;
  /** 'truncate' (default) keeps the first window; 'chunk' averages the embeddings of consecutive windows. */
  overflow?: OverflowStrategy;
  /** Tokens per window; default: the tokenizer's model_max_length (USE-lite: 128). */
  maxTokens?: number;
  pooling?: PoolingStrategy;
  /** L2-normalise embeddings (default true). */
  normalize?: boolean;
  /**
   * Model windows per inference call (default 1). Batching pads windows to a common length and, with dynamically
   * quantised weights (int8), shares one activation scale across the batch, so a text's embedding would depend on
   * its neighbours; one window per call keeps every embedding reproducible. Raise it for throughput.
   */
  batchSize?: number;
}

export interface ResolvedEncoderOptions {
  model: string;
  location: ModelLocation;
  device: 'auto' | EncoderDevice;
  dtype: EncoderDtype;
  allowRemoteModels: boolean;
  wasmPaths: OrtBuildPaths;
  onProgress: ((event: EncoderProgressEvent) => void) | undefined;
  overflow: OverflowStrategy;
  maxTokens: number | undefined;
  pooling: PoolingStrategy;
  normalize: boolean;
  batchSize: number;
}

const DEFAULT_WASM_PREFIX = '/ort/';

const DEVICES_IN_NODE: ReadonlyArray<'auto' | EncoderDevice> = ['auto', 'cpu', 'webgpu'];
const DEVICES_IN_BROWSERS: ReadonlyArray<'auto' | EncoderDevice> = ['auto', 'wasm', 'webgpu'];

/** Validates options once, at the boundary, and fills in defaults. */
export function resolveEncoderOptions(options: EncoderOptions = {}): ResolvedEncoderOptions {
  if (typeof options !== 'object' || options === null)
    throw new InvalidInputError('createEncoder options must be an object.');
  const model = options.model ?? DEFAULT_MODEL;
  if (typeof model !== 'string' || model.trim() === '')
    throw new InvalidInputError('options.model must be a non-empty string.');

  const device = options.device ?? 'auto';
  const devices = isNode() ? DEVICES_IN_NODE : DEVICES_IN_BROWSERS;
  if (!devices.includes(device)) {
    const hint =
      device === 'wasm'
        ? ' (WASM is the browser runtime; Node runs onnxruntime-node on the CPU)'
        : device === 'cpu'
          ? " (browsers run on the CPU through 'wasm')"
          : '';
    throw new InvalidInputError(
      `options.device must be one of ${devices.join(', ')} here, got ${JSON.stringify(device)}${hint}.`,
    );
  }

  if (
    options.localModelPath !== undefined &&
    (typeof options.localModelPath !== 'string' || options.localModelPath === '')
  ) {
    throw new InvalidInputError('options.localModelPath must be a non-empty string.');
  }
  const allowRemoteModels = options.allowRemoteModels ?? false;
  const location = resolveModelLocation(model, { localModelPath: options.localModelPath, allowRemoteModels });

  const dtype = options.dtype ?? DEFAULT_DTYPE_OF_MODEL[location.name] ?? DEFAULT_DTYPE;
  if (!Object.hasOwn(DTYPE_FILE_SUFFIX, dtype)) {
    throw new InvalidInputError(
      `options.dtype must be one of ${Object.keys(DTYPE_FILE_SUFFIX).join(', ')}, got ${JSON.stringify(dtype)}.`,
    );
  }

  const overflow = options.overflow ?? 'truncate';
  if (overflow !== 'truncate' && overflow !== 'chunk') {
    throw new InvalidInputError(`options.overflow must be 'truncate' or 'chunk', got ${JSON.stringify(overflow)}.`);
  }
  const pooling = options.pooling ?? 'auto';
  if (!['auto', 'mean', 'cls'].includes(pooling)) {
    throw new InvalidInputError(`options.pooling must be 'auto', 'mean' or 'cls', got ${JSON.stringify(pooling)}.`);
  }
  if (options.maxTokens !== undefined && !(Number.isInteger(options.maxTokens) && options.maxTokens > 0)) {
    throw new InvalidInputError(`options.maxTokens must be a positive integer, got ${options.maxTokens}.`);
  }
  const batchSize = options.batchSize ?? 1;
  if (!(Number.isInteger(batchSize) && batchSize > 0)) {
    throw new InvalidInputError(`options.batchSize must be a positive integer, got ${batchSize}.`);
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new InvalidInputError('options.onProgress must be a function.');
  }

  return {
    model,
    location,
    device,
    dtype,
    allowRemoteModels,
    wasmPaths: resolveWasmPaths(options.wasmPaths ?? DEFAULT_WASM_PREFIX),
    onProgress: options.onProgress,
    overflow,
    maxTokens: options.maxTokens,
    pooling,
    normalize: options.normalize ?? true,
    batchSize,
  };
}

/** A prefix becomes explicit URLs of both builds, so onnxruntime-web never guesses a file name (or a CDN). */
function resolveWasmPaths(wasmPaths: string | { mjs: string; wasm: string }): OrtBuildPaths {
  if (typeof wasmPaths === 'string') {
    const prefix = wasmPaths.endsWith('/') ? wasmPaths : `${wasmPaths}/`;
    const urls = (build: OrtBuild) => ({
      mjs: `${prefix}${ORT_BUILD_FILES[build].mjs}`,
      wasm: `${prefix}${ORT_BUILD_FILES[build].wasm}`,
    });
    return { wasm: urls('wasm'), webgpu: urls('webgpu') };
  }
  if (
    typeof wasmPaths !== 'object' ||
    wasmPaths === null ||
    typeof wasmPaths.mjs !== 'string' ||
    typeof wasmPaths.wasm !== 'string'
  ) {
    throw new InvalidInputError('options.wasmPaths must be a URL prefix or { mjs, wasm } URLs.');
  }
  const urls = { mjs: wasmPaths.mjs, wasm: wasmPaths.wasm };
  return { wasm: urls, webgpu: urls };
}
