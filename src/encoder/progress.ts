import type { ProgressInfo } from '@huggingface/transformers';

/**
 * One model-loading step for one file. `loaded` and `total` are bytes (0 while unknown); a progress bar can sum
 * the latest event per file.
 */
export interface EncoderProgressEvent {
  /** initiate -> download -> progress* -> done per file; one final 'ready' when the encoder can embed. */
  status: 'initiate' | 'download' | 'progress' | 'done' | 'ready';
  /** Path inside the model folder, e.g. 'onnx/model_int8.onnx' ('' for 'ready'). */
  file: string;
  loaded: number;
  total: number;
}

/**
 * Turns transformers.js progress callbacks into EncoderProgressEvents. It remembers each file's last byte counts,
 * so 'done' carries the file's size, and it drops transformers.js's aggregate and pipeline events.
 */
export function progressAdapter(listener: (event: EncoderProgressEvent) => void): (info: ProgressInfo) => void {
  const bytesOf = new Map<string, { loaded: number; total: number }>();
  return (info) => {
    if (info.status === 'progress') {
      const bytes = { loaded: info.loaded, total: info.total };
      bytesOf.set(info.file, bytes);
      listener({ status: 'progress', file: info.file, ...bytes });
    } else if (info.status === 'initiate' || info.status === 'download' || info.status === 'done') {
      const bytes = bytesOf.get(info.file) ?? { loaded: 0, total: 0 };
      listener({ status: info.status, file: info.file, ...bytes });
    }
  };
}
