import { AutoModel, type PreTrainedModel, type ProgressInfo, Tensor } from '@huggingface/transformers';
import type { EncoderDevice } from './encoder.ts';
import type { EncoderDtype, PoolingStrategy } from './options.ts';
import { clsPool, meanPool, splitRows } from './pooling.ts';
import { sessionOptionsFor } from './session-options.ts';
import { padWindows } from './token-windows.ts';
import { ModelLoadError } from '../core/index.ts';

/** One ONNX model loaded on one device: token windows in, one pooled (not yet normalised) vector per window out. */
export interface LoadedModel {
  readonly device: EncoderDevice;
  embedWindows(windows: readonly (readonly number[])[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

export interface LoadModelParams {
  modelId: string;
  device: EncoderDevice;
  dtype: EncoderDtype;
  pooling: PoolingStrategy;
  padId: number;
  /** Built by this project's converter (see sessionOptionsFor). */
  convertedHere: boolean;
  progressCallback: ((info: ProgressInfo) => void) | undefined;
}

/** Call inside withLoadSettings: from_pretrained reads transformers.js's global env. */
export async function loadModel(params: LoadModelParams): Promise<LoadedModel> {
  const model = await AutoModel.from_pretrained(params.modelId, {
    device: params.device,
    dtype: params.dtype,
    session_options: sessionOptionsFor(params.dtype, params.convertedHere),
    ...(params.progressCallback ? { progress_callback: params.progressCallback } : {}),
  });
  return {
    device: params.device,
    embedWindows: (windows) => embedWindows(model, windows, params),
    dispose: async () => {
      await model.dispose();
    },
  };
}

async function embedWindows(
  model: PreTrainedModel,
  windows: readonly (readonly number[])[],
  params: LoadModelParams,
): Promise<Float32Array[]> {
  const { inputIds, attentionMask, length } = padWindows(windows, params.padId);
  const dims = [windows.length, length];
  const outputs = (await model.forward({
    input_ids: new Tensor('int64', inputIds, dims),
    attention_mask: new Tensor('int64', attentionMask, dims),
  })) as Record<string, Tensor | undefined>;

  // Models exported with a pooling head (USE-lite, sentence-transformers) name its output sentence_embedding.
  const sentenceEmbedding = outputs.sentence_embedding;
  if (params.pooling === 'auto' && sentenceEmbedding) {
    return splitRows(float32Data(sentenceEmbedding), sentenceEmbedding.dims as [number, number]);
  }
  // The token-state output names transformers.js's feature-extraction pipeline accepts, in its order.
  const hidden = outputs.last_hidden_state ?? outputs.logits ?? outputs.token_embeddings;
  if (hidden?.dims.length !== 3) {
    throw new ModelLoadError(
      `model outputs ${Object.keys(outputs).join(', ')} hold no token states [batch, tokens, dims] to pool`,
    );
  }
  const shape = hidden.dims as [number, number, number];
  const data = float32Data(hidden);
  return params.pooling === 'cls' ? clsPool(data, shape) : meanPool(data, shape, attentionMask);
}

/** fp16 models return float16 outputs; pooling and the returned embeddings are float32. */
function float32Data(tensor: Tensor): Float32Array {
  return (tensor.type === 'float32' ? tensor : tensor.to('float32')).data as Float32Array;
}
