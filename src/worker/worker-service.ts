import { createEncoder, type EncodedText, type Encoder, type EncoderOptions, type EncoderProgressEvent } from '../encoder/index.ts';
import { InvalidInputError } from '../core/errors.ts';

/** Encoder options that can cross into a worker: everything but callbacks, which go as comlink proxies. */
export type WorkerEncoderOptions = Omit<EncoderOptions, 'onProgress'>;

/** What the page learns about the loaded encoder. */
export interface EncoderInfo {
  id: string;
  model: string;
  dtype: string;
  device: Encoder['device'];
  deviceReason: string;
  dimensions: number;
  maxTokens: number;
  loadMs: number;
}

/**
 * The API the worker exposes through comlink. It owns the encoder for the worker's lifetime; loading again with
 * other options replaces it.
 */
export class WorkerService {
  private encoder: Encoder | undefined;

  async loadEncoder(options: WorkerEncoderOptions, onProgress?: (event: EncoderProgressEvent) => void): Promise<EncoderInfo> {
    const started = performance.now();
    const encoder = await createEncoder({ ...options, onProgress });
    await this.encoder?.dispose();
    this.encoder = encoder;
    return {
      id: encoder.id,
      model: encoder.model,
      dtype: encoder.dtype,
      device: encoder.device,
      deviceReason: encoder.deviceReason,
      dimensions: encoder.dimensions,
      maxTokens: encoder.maxTokens,
      loadMs: performance.now() - started,
    };
  }

  async encode(texts: readonly string[]): Promise<EncodedText[]> {
    return this.requireEncoder().encode(texts);
  }

  private requireEncoder(): Encoder {
    if (!this.encoder) throw new InvalidInputError('No encoder is loaded in the worker: call loadEncoder first.');
    return this.encoder;
  }
}
